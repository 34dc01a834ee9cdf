package open311

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// A page of 1000 requests is the largest answer of the API, and encoding/json's
// reflection was about a third of its cost. requestList writes the same bytes as
// encoding/json (with HTML escaping off) directly; TestRequestListJSON holds it to that.

// jsonAppender is a value that writes its own JSON.
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

// requestList is the JSON of GET requests: an array of serviceRequest.
type requestList []serviceRequest

func (l requestList) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = l[i].appendJSON(b)
	}
	return append(b, ']')
}

func (r *serviceRequest) appendJSON(b []byte) []byte {
	b = append(b, `{"service_request_id":`...)
	b = appendJSONString(b, r.ServiceRequestID)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, r.Status)
	b = append(b, `,"status_notes":`...)
	b = appendJSONString(b, r.StatusNotes)
	b = append(b, `,"service_name":`...)
	b = appendJSONString(b, r.ServiceName)
	b = append(b, `,"service_code":`...)
	b = appendJSONString(b, r.ServiceCode)
	b = append(b, `,"description":`...)
	b = appendJSONString(b, r.Description)
	b = append(b, `,"agency_responsible":`...)
	b = appendJSONString(b, r.AgencyResponsible)
	b = append(b, `,"service_notice":`...)
	b = appendJSONString(b, r.ServiceNotice)
	b = append(b, `,"requested_datetime":`...)
	b = appendJSONString(b, r.RequestedDatetime)
	b = append(b, `,"updated_datetime":`...)
	b = appendJSONString(b, r.UpdatedDatetime)
	b = append(b, `,"expected_datetime":`...)
	b = appendJSONString(b, r.ExpectedDatetime)
	b = append(b, `,"address":`...)
	b = appendJSONString(b, r.Address)
	b = append(b, `,"address_id":`...)
	b = appendJSONString(b, r.AddressID)
	b = append(b, `,"zipcode":`...)
	b = appendJSONString(b, r.Zipcode)
	b = append(b, `,"lat":`...)
	b = appendJSONFloat(b, r.Lat)
	b = append(b, `,"long":`...)
	b = appendJSONFloat(b, r.Long)
	b = append(b, `,"media_url":`...)
	b = appendJSONString(b, r.MediaURL)
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does without HTML escaping: control
// characters, quote and backslash escaped, invalid UTF-8 as U+FFFD, and U+2028 and
// U+2029 escaped for JavaScript.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONFloat writes f as encoding/json does; a value JSON cannot hold (which a
// PostGIS point never has) becomes null.
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9, as in encoding/json.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
