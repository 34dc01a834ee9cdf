package fakefcm

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// fcmCode describes how real FCM reports one FcmError errorCode.
type fcmCode struct {
	httpStatus int
	status     string // google.rpc canonical status name
	message    string
}

// fcmCodes maps FCM error codes (google.firebase.fcm.v1.FcmError.errorCode)
// to the HTTP status, canonical status and message real FCM sends.
var fcmCodes = map[string]fcmCode{
	"INVALID_ARGUMENT":       {http.StatusBadRequest, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token"},
	"THIRD_PARTY_AUTH_ERROR": {http.StatusUnauthorized, "UNAUTHENTICATED", "Auth error from APNS or Web Push Service"},
	"SENDER_ID_MISMATCH":     {http.StatusForbidden, "PERMISSION_DENIED", "SenderId mismatch"},
	"UNREGISTERED":           {http.StatusNotFound, "NOT_FOUND", "Requested entity was not found."},
	"QUOTA_EXCEEDED":         {http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", "Quota exceeded for sending messages."},
	"INTERNAL":               {http.StatusInternalServerError, "INTERNAL", "Internal error encountered."},
	"UNAVAILABLE":            {http.StatusServiceUnavailable, "UNAVAILABLE", "The service is currently unavailable."},
}

// codeForStatus returns the FCM error code real FCM pairs with an HTTP
// status, or "" if there is none.
func codeForStatus(status int) string {
	for code, c := range fcmCodes {
		if c.httpStatus == status {
			return code
		}
	}
	return ""
}

func knownCodes() string {
	codes := make([]string, 0, len(fcmCodes))
	for c := range fcmCodes {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return strings.Join(codes, ", ")
}

// errorBody is the google.rpc.Status JSON error envelope FCM uses.
type errorBody struct {
	Error errorStatus `json:"error"`
}

type errorStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
	Details []any  `json:"details,omitempty"`
}

func fcmErrorDetail(code string) any {
	return map[string]string{
		"@type":     "type.googleapis.com/google.firebase.fcm.v1.FcmError",
		"errorCode": code,
	}
}

func badRequestDetail(field, description string) any {
	v := map[string]string{"description": description}
	if field != "" {
		v["field"] = field
	}
	return map[string]any{
		"@type":           "type.googleapis.com/google.rpc.BadRequest",
		"fieldViolations": []any{v},
	}
}

// writeFCMCodeError writes the real FCM error for an FCM error code.
func writeFCMCodeError(w http.ResponseWriter, code string, retryAfter int) {
	c := fcmCodes[code]
	setRetryAfter(w, retryAfter)
	writeError(w, c.httpStatus, c.status, c.message, fcmErrorDetail(code))
}

// writeFCMStatusError writes the real FCM error for an HTTP status; statuses
// FCM has no error code for get status "UNKNOWN" and no FcmError detail.
func writeFCMStatusError(w http.ResponseWriter, status, retryAfter int) {
	if code := codeForStatus(status); code != "" {
		writeFCMCodeError(w, code, retryAfter)
		return
	}
	setRetryAfter(w, retryAfter)
	writeError(w, status, "UNKNOWN", http.StatusText(status))
}

func setRetryAfter(w http.ResponseWriter, seconds int) {
	if seconds >= 0 {
		w.Header().Set("Retry-After", strconv.Itoa(seconds))
	}
}

func writeError(w http.ResponseWriter, httpStatus int, status, message string, details ...any) {
	writeJSON(w, httpStatus, errorBody{Error: errorStatus{
		Code:    httpStatus,
		Message: message,
		Status:  status,
		Details: details,
	}})
}
