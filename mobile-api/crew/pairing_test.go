package crew_test

import (
	"fmt"
	"testing"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// A category's trainee rule holds when a crew completes a task: no trainee hours on
// specialist work, and trainee hours on paired work only with a specialist's.
func TestTraineeRuleOnComplete(t *testing.T) {
	env := apptest.Start(t)
	specialist := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	trainee := pairPhone(t, env, "doetinchem-oosseld", worker.Trainee)
	seconded := pairPhone(t, env, "doetinchem-oosseld", worker.Seconded)
	hours := func(ids ...int64) map[string]any {
		var h []map[string]any
		for _, id := range ids {
			h = append(h, map[string]any{"worker_id": id, "hours": 1.5})
		}
		return map[string]any{"hours": h}
	}
	complete := func(p *phone, job int64, key string, body any) int {
		res := p.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/complete", job), body, "Idempotency-Key", key, "If-Match", "1")
		if res.Status == 422 {
			if m := res.Map(t); m["type"] != "/problems/validation-failed" {
				t.Errorf("422 of type %v", m["type"])
			}
		}
		return res.Status
	}
	s, tr, sec := specialist.worker.ID, trainee.worker.ID, seconded.worker.ID

	// Paired work (grass, wijkbeheer → the Oosseld team).
	gras := report(t, env, "groen.gras", oosseld[0], oosseld[1])
	if got := complete(trainee, gras, "g1", hours(tr)); got != 422 {
		t.Errorf("paired work, trainee alone = %d", got)
	}
	if got := complete(trainee, gras, "g2", hours(tr, sec)); got != 422 {
		t.Errorf("paired work, trainee with seconded = %d", got)
	}
	var n int64
	env.DB.Raw(`SELECT count(*) FROM job_hours WHERE job_id = ?`, gras).Scan(&n)
	if n != 0 {
		t.Errorf("refused completes left %d hour rows", n)
	}
	if got := complete(trainee, gras, "g3", hours(tr, s)); got != 200 {
		t.Errorf("paired work, trainee with specialist = %d", got)
	}
	gras2 := report(t, env, "groen.gras", oosseld[0]+0.003, oosseld[1])
	if got := complete(seconded, gras2, "g4", hours(sec)); got != 200 {
		t.Errorf("paired work without a trainee = %d", got)
	}

	// Specialist work: a playground device (accommodaties; its team takes the trainee too).
	acc := pairPhone(t, env, "doetinchem-accommodaties", worker.Specialist)
	accTrainee := pairPhone(t, env, "doetinchem-accommodaties", worker.Trainee)
	toestel := report(t, env, "spelen.toestel", oosseld[0]+0.006, oosseld[1])
	if got := complete(acc, toestel, "t1", hours(accTrainee.worker.ID)); got != 422 {
		t.Errorf("specialist work, trainee alone = %d", got)
	}
	if got := complete(acc, toestel, "t2", hours(acc.worker.ID, accTrainee.worker.ID)); got != 422 {
		t.Errorf("specialist work, trainee with specialist = %d", got)
	}
	if got := complete(acc, toestel, "t3", hours(acc.worker.ID)); got != 200 {
		t.Errorf("specialist work, specialist = %d", got)
	}

	// Work a trainee may do alone.
	zwerf := report(t, env, "afval.zwerfvuil", oosseld[0]+0.009, oosseld[1])
	if got := complete(trainee, zwerf, "z1", hours(tr)); got != 200 {
		t.Errorf("alone work, trainee = %d", got)
	}
}
