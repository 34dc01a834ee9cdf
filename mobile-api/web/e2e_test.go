package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/demo"
	"wijkwerk/backend/initiative/initiativetest"
	"wijkwerk/backend/team"
	"wijkwerk/backend/worker"
	"wijkwerk/mobile-api/web"
)

// The browser tests, in the order they run.
var e2eFiles = []string{"resident.test.mjs", "crew.test.mjs", "desk.test.mjs", "initiatives.test.mjs", "push.test.mjs", "resident-push.test.mjs", "perf.test.mjs"}

const (
	deskEmail    = "planner@doetinchem.example"
	deskPassword = "wijkwerk-e2e-wachtwoord"
	coachEmail   = "jobcoach@doetinchem.example" // same password
)

// e2ePush is the web push configuration of the second instance: a Firebase web app of
// the test project (the fake FCM's) and a VAPID public key. The browser test fakes
// Google's side of the registration.
var e2ePush = &web.Push{
	Config: web.FirebaseWebConfig{APIKey: "AIzaSy-e2e-web-api-key", ProjectID: "wijkwerk-test",
		MessagingSenderID: "123456789012", AppID: "1:123456789012:web:0e2e0e2e0e2e"},
	VAPIDKey: "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U",
}

// TestE2E starts a whole Wijkwerk instance with the PWA, makes a crew member with
// pairing codes, a planner and a job coach, and runs the browser tests in e2e/ (node
// --test, driving Debian's Chromium through playwright-core) against it. A second
// instance, configured for web push, serves the push test (push.test.mjs); the first has
// no push settings, as a server without them must show crews nothing about notifications.
//
// It needs WIJKWERK_E2E=1, Node.js, `npm ci` in ui/ and /usr/bin/chromium (or
// WIJKWERK_CHROMIUM); deploy/local/e2e.sh sets all of that up. With WIJKWERK_E2E_HOLD=1 it
// starts the instance, prints how to reach it and waits, for trying the screens by hand;
// with WIJKWERK_E2E_FILES=push.test.mjs,resident-push.test.mjs it runs only those files.
func TestE2E(t *testing.T) {
	if os.Getenv("WIJKWERK_E2E") == "" {
		t.Skip("browser tests: set WIJKWERK_E2E=1 (deploy/local/e2e.sh installs Chromium and the npm packages, then runs them)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: the browser tests need Node.js 20 or later")
	}
	if _, err := os.Stat("ui/node_modules/playwright-core/package.json"); err != nil {
		t.Fatal("the npm packages are missing: run `npm ci` in mobile-api/web/ui (deploy/local/e2e.sh does)")
	}
	chromium := os.Getenv("WIJKWERK_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s: apt-get install -y chromium (or set WIJKWERK_CHROMIUM)", chromium)
	}

	env := apptest.Start(t)
	e := testWindow(t, env)
	db := env.DB.DB

	ctx := context.Background()
	tm, err := team.NewStore(db).Find(ctx, "doetinchem-oosseld")
	if err != nil {
		t.Fatal(err)
	}
	workers := worker.NewStore(db)
	w1, err := workers.Create(ctx, tm.ID, worker.Specialist, "Fatima Ouali")
	if err != nil {
		t.Fatal(err)
	}
	w2, err := workers.Create(ctx, tm.ID, worker.Specialist, "Kees Jansen")
	if err != nil {
		t.Fatal(err)
	}
	code1, err := workers.IssuePairingCode(ctx, w1.ID, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	code2, err := workers.IssuePairingCode(ctx, w2.ID, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	trainee, err := workers.Create(ctx, tm.ID, worker.Trainee, "Priya Ramdin")
	if err != nil {
		t.Fatal(err)
	}
	traineeCode, err := workers.IssuePairingCode(ctx, trainee.ID, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := access.NewStore(db).CreateUser(ctx, deskEmail, deskPassword, access.Planner, []string{demo.Municipality}); err != nil {
		t.Fatal(err)
	}
	if _, err := access.NewStore(db).CreateUser(ctx, coachEmail, deskPassword, access.JobCoach, []string{demo.Municipality}); err != nil {
		t.Fatal(err)
	}
	if hasRoute(e, http.MethodPost, "/api/v1/planner/rebalance") {
		overloadOosseld(t, env, w1.ID, w2.ID, trainee.ID)
	}
	// A loose paving stone in Centrum, three days overdue: the planner moves it, and looks
	// up how to reach the reporter. Its description has two lines, as the desk shows it.
	res := env.Do(t, http.MethodPost, "/api/v1/reports",
		`{"category":"wegen.tegel","location":{"type":"Point","coordinates":[6.2905,51.9655]},"description":"Tegel los, al lang.\nMensen struikelen erover.",
"contact":{"email":"m.dekker@example.nl","phone":"06 1234 5678"}}`)
	var overdue struct {
		JobID int64 `json:"job_id"`
	}
	if err := json.Unmarshal(res.Body, &overdue); res.Status != http.StatusCreated || err != nil {
		t.Fatalf("overdue job: %d %s", res.Status, res.Body)
	}
	if err := db.Exec(`UPDATE jobs SET due_date = current_date - 3 WHERE id = ?`, overdue.JobID).Error; err != nil {
		t.Fatal(err)
	}

	// A fallen lamp post's base in Centrum that the crew could not fix two days ago: it
	// waits for the planner, who takes the resident's photo off it and closes it.
	stuckPhoto := filepath.Join(t.TempDir(), "stuck.jpg")
	writePhoto(t, stuckPhoto)
	data, err := os.ReadFile(stuckPhoto)
	if err != nil {
		t.Fatal(err)
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("report", `{"category":"wegen.tegel","location":{"type":"Point","coordinates":[6.2935,51.9668]},"description":"Stoep verzakt bij de boom"}`)
	fw, _ := mw.CreateFormFile("photo", "stoep.jpg")
	fw.Write(data)
	mw.Close()
	res = env.Do(t, http.MethodPost, "/api/v1/reports", form.Bytes(), "Content-Type", mw.FormDataContentType())
	var stuck struct {
		JobID int64 `json:"job_id"`
	}
	if err := json.Unmarshal(res.Body, &stuck); res.Status != http.StatusCreated || err != nil {
		t.Fatalf("stuck job: %d %s", res.Status, res.Body)
	}
	if err := db.Exec(`UPDATE jobs SET status = 'cannot_complete', reason = 'needs_equipment', reason_text = 'Boomwortels, we hebben een minigraver nodig',
closed_at = now() - interval '2 days' WHERE id = ?`, stuck.JobID).Error; err != nil {
		t.Fatal(err)
	}

	// Residents' initiatives for the planner's screen: a proposal that waits for a
	// decision (the planner approves it) and one that runs, with residents' work logged.
	proposedInit, runningInit := seedInitiatives(t, env)

	pushEnv := apptest.Start(t, func(c *app.Config) { c.WebPush = e2ePush })
	testWindow(t, pushEnv)
	pushTeam, err := team.NewStore(pushEnv.DB.DB).Find(ctx, "doetinchem-oosseld")
	if err != nil {
		t.Fatal(err)
	}
	pushWorker, err := worker.NewStore(pushEnv.DB.DB).Create(ctx, pushTeam.ID, worker.Specialist, "Sanne de Vries")
	if err != nil {
		t.Fatal(err)
	}
	pushCode, err := worker.NewStore(pushEnv.DB.DB).IssuePairingCode(ctx, pushWorker.ID, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	// A colleague's phone finishes the residents' jobs through the API
	// (resident-push.test.mjs). (A new code for the same worker would void the first.)
	pushColleague, err := worker.NewStore(pushEnv.DB.DB).Create(ctx, pushTeam.ID, worker.Specialist, "Joris Bakker")
	if err != nil {
		t.Fatal(err)
	}
	pushCode2, err := worker.NewStore(pushEnv.DB.DB).IssuePairingCode(ctx, pushColleague.ID, "e2e")
	if err != nil {
		t.Fatal(err)
	}

	artifacts, err := filepath.Abs("e2e/artifacts")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(artifacts, "results.json"))
	photo := filepath.Join(artifacts, "fixture-photo.jpg")
	writePhoto(t, photo)

	vars := []string{
		"BASE_URL=" + env.URL,
		"PAIRING_CODE=" + code1.Code,
		"PAIRING_QR=" + code1.QR,
		"PAIRING_CODE_2=" + code2.Code,
		"WORKER_ID=" + strconv.FormatInt(w1.ID, 10),
		"TRAINEE_PAIRING_CODE=" + traineeCode.Code,
		"OVERDUE_JOB_ID=" + strconv.FormatInt(overdue.JobID, 10),
		"STUCK_JOB_ID=" + strconv.FormatInt(stuck.JobID, 10),
		"INIT_PROPOSED_ID=" + strconv.FormatInt(proposedInit, 10),
		"INIT_RUNNING_ID=" + strconv.FormatInt(runningInit, 10),
		"TEAM_NAME=" + tm.Name,
		"DESK_EMAIL=" + deskEmail,
		"DESK_PASSWORD=" + deskPassword,
		"COACH_EMAIL=" + coachEmail,
		"CHROMIUM=" + chromium,
		"ARTIFACTS=" + artifacts,
		"PHOTO=" + photo,
		"PUSH_BASE_URL=" + pushEnv.URL,
		"PUSH_PAIRING_CODE=" + pushCode.Code,
		"PUSH_PAIRING_CODE_2=" + pushCode2.Code,
		"PUSH_WORKER_ID=" + strconv.FormatInt(pushWorker.ID, 10),
		"PUSH_API_KEY=" + e2ePush.Config.APIKey,
		"PUSH_PROJECT=" + e2ePush.Config.ProjectID,
		"PUSH_VAPID_KEY=" + e2ePush.VAPIDKey,
	}
	if os.Getenv("WIJKWERK_E2E_HOLD") != "" {
		fmt.Printf("Wijkwerk with the PWA runs at %s\n", env.URL)
		for _, v := range vars[1:] {
			fmt.Println("  " + v)
		}
		deadline, ok := t.Deadline()
		if !ok {
			deadline = time.Now().Add(time.Hour)
		}
		time.Sleep(time.Until(deadline) - 10*time.Second)
		return
	}

	args := []string{"--test", "--test-concurrency=1", "--test-reporter=spec"}
	files := e2eFiles
	if only := os.Getenv("WIJKWERK_E2E_FILES"); only != "" {
		files = strings.Split(only, ",") // a few of them, while working on those
	}
	for _, f := range files {
		args = append(args, filepath.Join("e2e", f))
	}
	cmd := exec.Command(node, args...)
	cmd.Env = append(os.Environ(), vars...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the browser tests failed (%v); screenshots and axe reports are in %s", err, artifacts)
	}
	if len(files) != len(e2eFiles) {
		return // the crew test, which the check below is about, may not have run
	}

	// Check once more from here, in the database, that the job the crew finished
	// offline was finished exactly once.
	var results struct {
		CrewJobID int64 `json:"crew_job_id"`
	}
	b, err := os.ReadFile(filepath.Join(artifacts, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &results); err != nil || results.CrewJobID == 0 {
		t.Fatalf("results.json has no crew_job_id: %s", b)
	}
	f := jobFacts(t, db, strconv.FormatInt(results.CrewJobID, 10))
	if f.Status != "done" || f.CompleteEvents != 1 || f.AfterPhotos != 1 {
		t.Errorf("job %d after the offline completion: %+v, want done with one complete event and one after photo", results.CrewJobID, f)
	}
}

// testWindow returns env's Echo with the PWA and a test-only window on the instance, for
// the browser tests' checks: a job's facts ("exactly once") and status, a worker's device tokens, the
// contacts a report or a job's supporters left (what a resident's browser sent), and the
// messages the fake FCM accepted.
func testWindow(t *testing.T, env *apptest.Env) *echo.Echo {
	e := env.App.Handler().(*echo.Echo)
	if !hasRoute(e, http.MethodGet, "/crew") {
		web.Register(e)
	}
	db := env.DB.DB
	e.GET("/_e2e/jobs/:id", func(c echo.Context) error { return c.JSON(http.StatusOK, jobFacts(t, db, c.Param("id"))) })
	// A job's status, set as a crew or planner would leave it (done, could not be done),
	// for the tracking page of a closed report. With a reason, the crew's "could not be
	// done" is recorded as the phone records it (the job's reason and an audit event), so
	// that the desk can close it through its API.
	e.POST("/_e2e/jobs/:id/status", func(c echo.Context) error {
		var b struct {
			Status string `json:"status"`
			Reason string `json:"reason"`
		}
		if err := c.Bind(&b); err != nil {
			return err
		}
		if b.Reason != "" {
			err := db.Exec(`INSERT INTO audit_events (job_id, actor, action, from_status, to_status, detail)
SELECT id, 'e2e', 'cannot-complete', status, ?, jsonb_build_object('reason', CAST(? AS text)) FROM jobs WHERE id = ?`, b.Status, b.Reason, c.Param("id")).Error
			if err == nil {
				err = db.Exec(`UPDATE jobs SET reason = ?, closed_at = now() WHERE id = ?`, b.Reason, c.Param("id")).Error
			}
			if err != nil {
				return err
			}
		}
		res := db.Exec(`UPDATE jobs SET status = ?, version = version + 1 WHERE id = ?`, b.Status, c.Param("id"))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return c.NoContent(http.StatusNotFound)
		}
		return c.NoContent(http.StatusNoContent)
	})
	e.GET("/_e2e/workers/:id/devices", func(c echo.Context) error {
		var devices []struct {
			ID       int64   `json:"id"`
			FCMToken *string `json:"fcm_token"`
			Platform *string `json:"platform"`
			Lang     string  `json:"lang"`
		}
		err := db.Raw(`SELECT id, fcm_token, platform, lang FROM devices WHERE worker_id = ? AND revoked_at IS NULL ORDER BY id`, c.Param("id")).Scan(&devices).Error
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, devices)
	})
	e.GET("/_e2e/reports/:code/contacts", func(c echo.Context) error {
		var contacts []struct {
			AppToken     string `json:"app_token"`
			WantsUpdates bool   `json:"wants_updates"`
		}
		err := db.Raw(`SELECT rc.app_token, rc.wants_updates FROM report_contacts rc JOIN reports r ON r.id = rc.report_id
WHERE r.tracking_code = ? ORDER BY rc.report_id`, c.Param("code")).Scan(&contacts).Error
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, contacts)
	})
	e.GET("/_e2e/jobs/:id/supporters", func(c echo.Context) error {
		var tokens []string
		err := db.Raw(`SELECT app_token FROM support_contacts WHERE job_id = ? ORDER BY supporter`, c.Param("id")).Scan(&tokens).Error
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, tokens)
	})
	e.GET("/_e2e/fcm/messages", func(c echo.Context) error { return c.JSON(http.StatusOK, env.FCM.Messages()) })
	return e
}

type facts struct {
	Status         string  `json:"status"`
	Version        int     `json:"version"`
	CompleteEvents int     `json:"complete_events"`
	AfterPhotos    int     `json:"after_photos"`
	Hours          float64 `json:"hours"`
	// HoursBy is each worker's hours on the job, by name.
	HoursBy string `json:"hours_by"`
	Team    string `json:"team"`
}

func jobFacts(t *testing.T, db *gorm.DB, id string) facts {
	var f facts
	err := db.Raw(`
SELECT j.status, j.version,
       (SELECT count(*) FROM audit_events a WHERE a.job_id = j.id AND a.action = 'complete') AS complete_events,
       (SELECT count(*) FROM job_photos p WHERE p.job_id = j.id AND p.kind = 'after') AS after_photos,
       (SELECT COALESCE(sum(h.hours), 0) FROM job_hours h WHERE h.job_id = j.id) AS hours,
       (SELECT COALESCE(string_agg(w.name || '=' || h.hours, ',' ORDER BY w.name), '') FROM job_hours h
        JOIN workers w ON w.id = h.worker_id WHERE h.job_id = j.id) AS hours_by,
       COALESCE((SELECT t.name FROM teams t WHERE t.id = j.team_id), '') AS team
FROM jobs j WHERE j.id = ?`, id).Scan(&f).Error
	if err != nil {
		t.Errorf("job facts: %v", err)
	}
	return f
}

// overloadOosseld gives the planner something to rebalance: Oosseld's crew gets little
// time (where the planner's capacity columns exist) and a dozen jobs, while specialists
// join the neighbouring districts' crews.
func overloadOosseld(t *testing.T, env *apptest.Env, oosseld ...int64) {
	ctx := context.Background()
	db := env.DB.DB
	workers := worker.NewStore(db)
	for _, code := range []string{"centrum", "noord", "overstegen", "de-huet", "dichteren", "wijnbergen"} {
		tm, err := team.NewStore(db).Find(ctx, "doetinchem-"+code)
		if err != nil {
			t.Logf("no team %s: %v", code, err)
			continue
		}
		if _, err := workers.Create(ctx, tm.ID, worker.Specialist, "Vakspecialist "+tm.Name); err != nil {
			t.Fatal(err)
		}
	}
	// All registered a year ago: without a placement start a worker counts from the day
	// they were registered, and the week balanced here must not depend on the weekday the
	// test runs on.
	if err := db.Exec(`UPDATE workers SET created_at = now() - interval '1 year'`).Error; err != nil {
		t.Fatal(err)
	}
	var hasHours bool
	db.Raw(`SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'workers' AND column_name = 'contract_hours')`).Scan(&hasHours)
	if hasHours {
		if err := db.Exec(`UPDATE workers SET contract_hours = 2 WHERE id IN ?`, oosseld).Error; err != nil {
			t.Fatal(err)
		}
	}
	cats := []string{"groen.onkruid", "groen.gras", "wegen.bank", "wegen.tegel", "groen.beplanting", "overlast.graffiti"}
	for i := 0; i < 12; i++ {
		body := fmt.Sprintf(`{"category":%q,"location":{"type":"Point","coordinates":[%.5f,%.5f]},"description":"Werk voor de planner"}`,
			cats[i%len(cats)], 6.3150+float64(i%4)*0.0012, 51.9605+float64(i/4)*0.0010)
		if r := env.Do(t, http.MethodPost, "/api/v1/reports", body); r.Status != http.StatusCreated {
			t.Fatalf("load report: %d %s", r.Status, r.Body)
		}
	}
}

// seedInitiatives proposes two initiatives through the residents' API: one stays
// proposed (De Huet 2, street furniture), the other (Noord 3, paving) a planner approves
// and residents log work on twice. It returns their ids.
func seedInitiatives(t *testing.T, env *apptest.Env) (proposed, running int64) {
	t.Helper()
	propose := func(area, theme, title string, contact map[string]any) (int64, string) {
		var p struct{ Lon, Lat float64 }
		if err := env.DB.Raw(`SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM areas WHERE code = ?) s`, area).Scan(&p).Error; err != nil {
			t.Fatal(err)
		}
		body := initiativetest.Proposal(initiativetest.Square(orb.Point{p.Lon, p.Lat}, 40), theme, "A")
		body["title"] = title
		body["contact"] = contact
		res := env.Do(t, http.MethodPost, "/api/v1/initiatives", body)
		var rc struct {
			ID   int64  `json:"id"`
			Code string `json:"code"`
		}
		if err := json.Unmarshal(res.Body, &rc); res.Status != http.StatusCreated || err != nil {
			t.Fatalf("initiative %q: %d %s", title, res.Status, res.Body)
		}
		return rc.ID, rc.Code
	}
	proposed, _ = propose("BU02220502", "furniture", "Bankjes opknappen bij de speeltuin",
		map[string]any{"name": "Jan Bosman", "email": "jan.bosman@example.nl", "phone": "06-23456789"})
	running, code := propose("BU02220203", "paving", "Stoep onkruidvrij Noord",
		map[string]any{"name": "Buurtgroep Noord", "email": "buurt.noord@example.nl"})
	login := env.Do(t, http.MethodPost, "/api/v1/desk/login", map[string]string{"email": deskEmail, "password": deskPassword})
	var session struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(login.Body, &session); login.Status != http.StatusOK || err != nil {
		t.Fatalf("desk login: %d %s", login.Status, login.Body)
	}
	res := env.Do(t, http.MethodPost, "/api/v1/planner/initiatives/"+strconv.FormatInt(running, 10)+"/approve",
		map[string]string{"conditions": "Onkruid in de groene container."}, "Authorization", "Bearer "+session.Token)
	if res.Status != http.StatusOK {
		t.Fatalf("approve: %d %s", res.Status, res.Body)
	}
	// The crew delivered its materials yesterday: the planner sees when, not the due date.
	if err := env.DB.Exec(`UPDATE jobs SET status = 'done', closed_at = now() - interval '1 day', version = version + 1
WHERE id = (SELECT job_id FROM initiative_jobs WHERE initiative_id = ? AND kind = 'materials')`, running).Error; err != nil {
		t.Fatal(err)
	}
	for _, c := range []map[string]any{
		{"date": initiativetest.Today(), "hours": 6, "people": 3, "what": "Onkruid tussen de tegels gekrabd"},
		{"date": initiativetest.Today(), "hours": 2.5, "people": 1, "what": "Zwerfvuil geraapt langs de stoep"},
	} {
		if r := env.Do(t, http.MethodPost, "/api/v1/initiatives/"+code+"/contributions", c); r.Status != http.StatusCreated {
			t.Fatalf("contribution: %d %s", r.Status, r.Body)
		}
	}
	return proposed, running
}

func hasRoute(e *echo.Echo, method, path string) bool {
	for _, r := range e.Routes() {
		if r.Method == method && r.Path == path {
			return true
		}
	}
	return false
}

// writePhoto makes a JPEG that looks like something: a grey street with a green verge.
func writePhoto(t *testing.T, path string) {
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for y := 0; y < 600; y++ {
		for x := 0; x < 800; x++ {
			c := color.RGBA{120, 124, 130, 255}
			if y < 220 {
				c = color.RGBA{150, 190, 230, 255}
			} else if x > 560 {
				c = color.RGBA{60, 140, 70, 255}
			}
			if (x/40+y/40)%7 == 0 && y >= 220 && x <= 560 {
				c = color.RGBA{95, 98, 104, 255}
			}
			img.Set(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
}
