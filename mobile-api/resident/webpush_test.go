package resident_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/job"
)

// A resident who reports on the web page and asks for updates sends the browser's FCM
// token as a resident app does (contact.app_token, wants_updates), in the multipart
// report's JSON; a neighbour supports the job from the web page the same way. When the
// crew cannot complete the job, both tokens get the same push an app gets, with the
// reason; no answer shows either token.
func TestWebResidentTokensGetWhatAppsGet(t *testing.T) {
	env := apptest.Start(t)
	const webToken = "fWeb01xYz:APA91bResidentWebTokenOne"
	const neighbourToken = "fWeb02xYz:APA91bNeighbourWebTokenTwo"
	body := reportBody("afval.zwerfvuil", stationLon, stationLat)
	body["contact"] = map[string]any{"app_token": webToken, "wants_updates": true}
	js, _ := json.Marshal(body)
	res := postMultipart(t, env, "/api/v1/reports", map[string]string{"report": string(js)}, nil, "Idempotency-Key", "web-push-1")
	if res.Status != 201 {
		t.Fatalf("web report = %d %s", res.Status, res.Body)
	}
	var rc receipt
	res.JSON(t, &rc)
	answers := []string{string(res.Body)}
	// The same report again (a retry): the same answer, still without the token.
	res = postMultipart(t, env, "/api/v1/reports", map[string]string{"report": string(js)}, nil, "Idempotency-Key", "web-push-1")
	answers = append(answers, string(res.Body))

	res = env.Do(t, "POST", fmt.Sprintf("/api/v1/jobs/%d/support", rc.JobID),
		map[string]any{"device_id": "web-buur", "contact": map[string]any{"app_token": neighbourToken, "wants_updates": true}})
	if res.Status != 201 {
		t.Fatalf("support = %d %s", res.Status, res.Body)
	}
	answers = append(answers, string(res.Body))
	var kept int64
	env.DB.Raw(`SELECT (SELECT count(*) FROM report_contacts WHERE app_token = ? AND wants_updates) +
	                   (SELECT count(*) FROM support_contacts WHERE app_token = ?)`, webToken, neighbourToken).Scan(&kept)
	if kept != 2 {
		t.Fatalf("%d of the 2 web tokens kept", kept)
	}

	var teamID int64
	env.DB.Raw(`SELECT team_id FROM jobs WHERE id = ?`, rc.JobID).Scan(&teamID)
	_, _, err := job.NewService(env.DB.DB, job.NewStore(env.DB.DB), job.Updates{PushTTL: time.Hour}).Do(context.Background(), job.Act{
		JobID: rc.JobID, Action: job.CannotFinish, Version: 1, Key: "web-cc", Actor: "worker:1", Teams: []int64{teamID},
		Reason: "already_fixed", ReasonText: "Buurvrouw had het al opgeruimd"})
	if err != nil {
		t.Fatal(err)
	}
	want := "not_possible: Het lukte de ploeg niet om dit op te lossen. Reden: Was al opgelost."
	got := map[string]string{}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && len(got) < 2; time.Sleep(50 * time.Millisecond) {
		for _, msg := range env.FCM.Messages() {
			if (msg.Token == webToken || msg.Token == neighbourToken) && msg.Notification != nil {
				got[msg.Token] = msg.Data["kind"] + ": " + msg.Notification.Body
				if msg.Data["job_id"] != fmt.Sprint(rc.JobID) {
					t.Errorf("push data = %v, want job_id %d", msg.Data, rc.JobID)
				}
			}
		}
	}
	if got[webToken] != want || got[neighbourToken] != want {
		t.Errorf("web pushes = %q, want %q to both", got, want)
	}

	for _, path := range []string{"/api/v1/reports/" + rc.TrackingCode, fmt.Sprintf("/api/v1/reports/nearby?lon=%v&lat=%v&category=afval.zwerfvuil", stationLon, stationLat)} {
		answers = append(answers, string(env.Do(t, "GET", path, nil).Body))
	}
	for _, a := range answers {
		for _, tok := range []string{webToken, neighbourToken, "fWeb0"} {
			if strings.Contains(a, tok) {
				t.Errorf("an answer shows a resident's token: %s", a)
			}
		}
	}
}
