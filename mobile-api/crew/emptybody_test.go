package crew_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// An action without a body works the same whether the phone says Content-Length: 0 or
// sends an empty chunked body (Transfer-Encoding: chunked and no bytes).
func TestActionWithEmptyChunkedBody(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	path := fmt.Sprintf("/mobile/v1/tasks/%d/", jobID)

	if res := p.do(t, "POST", path+"accept", nil, "Idempotency-Key", "a1", "If-Match", "1"); res.Status != 200 {
		t.Fatalf("accept = %d %s", res.Status, res.Body)
	}
	for _, contentType := range []string{"", "application/json"} {
		req := httptest.NewRequest("POST", path+"start", strings.NewReader(""))
		req.ContentLength = -1
		req.TransferEncoding = []string{"chunked"}
		req.Header.Set("Authorization", "Bearer "+p.token)
		req.Header.Set("Idempotency-Key", "s1")
		req.Header.Set("If-Match", "2")
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		env.App.Handler().ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"status":"in_progress"`) {
			t.Errorf("start with an empty chunked body (Content-Type %q) = %d %.300s", contentType, rec.Code, rec.Body)
		}
	}
}
