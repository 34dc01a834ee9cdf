package job_test

import (
	"fmt"
	"slices"
	"testing"

	"wijkwerk/backend/demo/demotest"
)

// TestFeedTriggers: the triggers on jobs write one feed row for each job a statement
// changes, for the team it has and for the team it left, also when one statement changes
// several jobs (as intake's filing statement does).
func TestFeedTriggers(t *testing.T) {
	db := demotest.DB(t)
	var teams []int64
	db.Raw(`SELECT id FROM teams ORDER BY id LIMIT 2`).Scan(&teams)
	if len(teams) != 2 {
		t.Fatalf("want two demo teams, got %v", teams)
	}
	a, b := teams[0], teams[1]
	feed := func() []string {
		t.Helper()
		var rows []string
		if err := db.Raw(`SELECT team_id || ':' || job_id FROM task_feed ORDER BY seq`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		db.Exec(`DELETE FROM task_feed`)
		slices.Sort(rows)
		return rows
	}
	row := func(team, job int64) string { return fmt.Sprintf("%d:%d", team, job) }

	// One statement inserts three jobs: two with a team, one without.
	var ids []int64
	err := db.Raw(`
INSERT INTO jobs (category_code, location, area_id, team_id, status, due_date, effort_minutes)
SELECT (SELECT code FROM categories ORDER BY code LIMIT 1), ST_SetSRID(ST_MakePoint(6.29, 51.96), 4326),
       (SELECT id FROM areas ORDER BY id LIMIT 1), t.team, CASE WHEN t.team IS NULL THEN 'open' ELSE 'assigned' END,
       current_date, 30
FROM unnest(ARRAY[?, ?, NULL]::bigint[]) WITH ORDINALITY AS t (team, n)
ORDER BY t.n
RETURNING id`, a, a).Scan(&ids).Error
	if err != nil || len(ids) != 3 {
		t.Fatalf("insert: %v, %v", ids, err)
	}
	j1, j2, j3 := ids[0], ids[1], ids[2]
	if got, want := feed(), sortedOf(row(a, j1), row(a, j2)); !slices.Equal(got, want) {
		t.Errorf("after the insert: feed %v, want %v", got, want)
	}

	// One statement moves j1 to b, changes j2 within a, and gives j3 team a.
	err = db.Exec(`
UPDATE jobs SET team_id = v.team, description = 'x'
FROM (VALUES (?::bigint, ?::bigint), (?, ?), (?, ?)) AS v (id, team)
WHERE jobs.id = v.id`, j1, b, j2, a, j3, a).Error
	if err != nil {
		t.Fatal(err)
	}
	if got, want := feed(), sortedOf(row(b, j1), row(a, j1), row(a, j2), row(a, j3)); !slices.Equal(got, want) {
		t.Errorf("after the update: feed %v, want %v", got, want)
	}

	// A job that loses its team is seen by the team it left only.
	if err := db.Exec(`UPDATE jobs SET team_id = NULL, status = 'open' WHERE id = ?`, j2).Error; err != nil {
		t.Fatal(err)
	}
	if got, want := feed(), []string{row(a, j2)}; !slices.Equal(got, want) {
		t.Errorf("after unassigning: feed %v, want %v", got, want)
	}

	// A statement that changes no job writes nothing.
	if err := db.Exec(`UPDATE jobs SET description = 'y' WHERE false`).Error; err != nil {
		t.Fatal(err)
	}
	if got := feed(); len(got) != 0 {
		t.Errorf("after an empty update: feed %v, want none", got)
	}
}

func sortedOf(rows ...string) []string {
	slices.Sort(rows)
	return rows
}
