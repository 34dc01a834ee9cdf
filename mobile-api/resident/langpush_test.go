package resident_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/push"
)

// Each resident hears about the end of a job in the language they reported or supported
// in (Accept-Language or ?lang=), and a neighbour who only supported it ("Ik heb dit
// ook") gets a text about the problem they also saw, not thanks for a report they never
// filed: the cannot-complete push with its reason, the retry push when a planner sends
// the job back, and the done push.
func TestResidentPushesInTheirLanguage(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	jobs := job.NewService(env.DB.DB, job.NewStore(env.DB.DB), job.Updates{PushTTL: time.Hour})

	// Four residents on one job: two who report it, two who support it, in English and
	// in Dutch. The tokens name who they are.
	residents := func(n int, lat float64) (jobID, teamID int64) {
		t.Helper()
		en := reportBody("afval.zwerfvuil", stationLon, lat)
		en["contact"] = map[string]any{"app_token": fmt.Sprintf("en-reporter-%d", n)}
		rc := submit(t, env, en, "Accept-Language", "en-GB,en;q=0.9,nl;q=0.5")
		nl := reportBody("afval.zwerfvuil", stationLon, lat+0.0001) // about 11 m north: the same job
		nl["contact"] = map[string]any{"app_token": fmt.Sprintf("nl-reporter-%d", n)}
		if dup := submit(t, env, nl, "Accept-Language", "nl"); dup.JobID != rc.JobID {
			t.Fatalf("second report joined job %d, want %d", dup.JobID, rc.JobID)
		}
		for _, sp := range []struct{ who, path string }{
			{"en-supporter", fmt.Sprintf("/api/v1/jobs/%d/support?lang=en", rc.JobID)},
			{"nl-supporter", fmt.Sprintf("/api/v1/jobs/%d/support", rc.JobID)},
		} {
			token := fmt.Sprintf("%s-%d", sp.who, n)
			res := env.Do(t, "POST", sp.path, map[string]any{"device_id": token, "contact": map[string]any{"app_token": token}})
			if res.Status != 201 {
				t.Fatalf("support = %d %s", res.Status, res.Body)
			}
		}
		return rc.JobID, rc.Team.ID
	}
	// pushes waits for the pushes of kind to the four residents of job n: title | body
	// by who they are.
	pushes := func(n int, kind string) map[string]string {
		t.Helper()
		got := map[string]string{}
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && len(got) < 4; time.Sleep(50 * time.Millisecond) {
			for _, msg := range env.FCM.Messages() {
				who, ok := strings.CutSuffix(msg.Token, fmt.Sprintf("-%d", n))
				if ok && msg.Data["kind"] == kind && msg.Notification != nil {
					got[who] = msg.Notification.Title + " | " + msg.Notification.Body
				}
			}
		}
		return got
	}
	check := func(what string, got, want map[string]string) {
		t.Helper()
		for who, w := range want {
			if got[who] != w {
				t.Errorf("%s push to %s = %q, want %q", what, who, got[who], w)
			}
		}
	}

	one, team := residents(1, stationLat)
	if _, _, err := jobs.Do(ctx, job.Act{JobID: one, Action: job.CannotFinish, Version: 1, Key: "lang-cc", Actor: "worker:1",
		Teams: []int64{team}, Reason: "already_fixed"}); err != nil {
		t.Fatal(err)
	}
	check("cannot-complete", pushes(1, "not_possible"), map[string]string{
		"en-reporter":  "About your report | The crew could not solve this. Reason: Already fixed.",
		"nl-reporter":  "Over uw melding | Het lukte de ploeg niet om dit op te lossen. Reden: Was al opgelost.",
		"en-supporter": "About the problem you also saw | The crew could not solve this. Reason: Already fixed.",
		"nl-supporter": "Over het probleem dat u ook zag | Het lukte de ploeg niet om dit op te lossen. Reden: Was al opgelost.",
	})
	// A planner sends it back to a crew (planner.Reassign tells the residents so).
	err := database.Tx(ctx, env.DB.DB, func(tx *gorm.DB) error {
		return job.TellResidents(ctx, tx, job.Updates{PushTTL: time.Hour}, push.Request{JobID: one, Kind: push.KindRetry, Version: 3})
	})
	if err != nil {
		t.Fatal(err)
	}
	check("retry", pushes(1, "retry"), map[string]string{
		"en-reporter":  "About your report | We are trying again. A crew will pick it up.",
		"nl-reporter":  "Over uw melding | We proberen het opnieuw. Een ploeg gaat het oppakken.",
		"en-supporter": "About the problem you also saw | We are trying again. A crew will pick it up.",
		"nl-supporter": "Over het probleem dat u ook zag | We proberen het opnieuw. Een ploeg gaat het oppakken.",
	})

	two, team := residents(2, stationLat+0.001) // about 110 m further: a job of its own
	if _, _, err := jobs.Do(ctx, job.Act{JobID: two, Action: job.Complete, Version: 1, Key: "lang-done", Actor: "worker:1",
		ActorRole: "specialist", Teams: []int64{team}}); err != nil {
		t.Fatal(err)
	}
	check("done", pushes(2, "done"), map[string]string{
		"en-reporter":  "Your report is solved | The crew is done. Thank you for your report!",
		"nl-reporter":  "Uw melding is opgelost | De ploeg is klaar. Bedankt voor uw melding!",
		"en-supporter": "It is solved | The problem you also saw is solved. Thank you for letting us know!",
		"nl-supporter": "Het is opgelost | Het probleem dat u ook zag, is opgelost. Bedankt dat u het liet weten!",
	})

	// Both jobs in one call, as a planner moving several at once: each job's residents,
	// and only they, hear about their own job.
	err = database.Tx(ctx, env.DB.DB, func(tx *gorm.DB) error {
		return job.TellResidents(ctx, tx, job.Updates{PushTTL: time.Hour}, push.Request{JobID: one, Kind: push.KindRetry, Version: 5},
			push.Request{JobID: two, Kind: push.KindRetry, Version: 5})
	})
	if err != nil {
		t.Fatal(err)
	}
	var leaks []string
	env.DB.Raw(`SELECT o.job_id || ':' || t FROM push_outbox o, unnest(o.tokens) t
WHERE o.kind = 'retry' AND o.version = 5 AND t NOT LIKE '%-' || CASE o.job_id WHEN ? THEN '1' ELSE '2' END`, one).Scan(&leaks)
	var rows int64
	env.DB.Raw(`SELECT count(*) FROM push_outbox WHERE kind = 'retry' AND version = 5`).Scan(&rows)
	if rows != 8 || len(leaks) > 0 {
		t.Errorf("two jobs at once: %d outbox rows (want 4 per job), tokens of the other job: %v", rows, leaks)
	}

	var langs []string
	env.DB.Raw(`SELECT app_token || '=' || lang FROM report_contacts UNION ALL SELECT app_token || '=' || lang FROM support_contacts ORDER BY 1`).Scan(&langs)
	if got := strings.Join(langs, ","); !strings.Contains(got, "en-reporter-1=en") || !strings.Contains(got, "nl-supporter-2=nl") {
		t.Errorf("stored languages = %s", got)
	}
}
