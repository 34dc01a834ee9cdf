package planner

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/database"
	"wijkwerk/backend/plaintext"
	"wijkwerk/backend/problem"
)

// Note is a job coach's development note on a worker. PERSONAL DATA: only job coaches
// may read notes (admins manage the system, not people's development); they appear in no list, export or log, and no error
// message quotes them.
type Note struct {
	ID        int64     `json:"id"`
	WorkerID  int64     `json:"worker_id"`
	AuthorID  int64     `json:"author_id"`
	Author    string    `json:"author"` // the author's e-mail address
	Skill     string    `json:"skill"`
	Score     *int      `json:"score"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// Skills are the employee skills a note can be about.
var Skills = []string{"punctuality", "cooperation", "safety", "craft"}

// MaxNoteText is the longest note.
const MaxNoteText = 4000

// mayReadNotes guards notes here too, not only in the HTTP layer: whatever calls the
// store, a planner or an admin never gets a note.
func mayReadNotes(u access.User) error {
	if !u.Is(access.JobCoach) {
		return problem.Forbidden.New(problem.T(
			"Alleen jobcoaches lezen en schrijven ontwikkelnotities.", "Only job coaches read and write development notes."))
	}
	return nil
}

// Notes returns the development notes on a worker in u's scope, newest first.
func (s *Store) Notes(ctx context.Context, u access.User, workerID int64) ([]Note, error) {
	if err := mayReadNotes(u); err != nil {
		return nil, err
	}
	if err := inScope(ctx, s.db, u, workerID); err != nil {
		return nil, err
	}
	notes := []Note{}
	err := s.db.WithContext(ctx).Raw(`
SELECT n.id, n.worker_id, n.author_id, u.email AS author, n.skill, n.score, n.text, n.created_at
FROM development_notes n JOIN desk_users u ON u.id = n.author_id
WHERE n.worker_id = ? ORDER BY n.created_at DESC, n.id DESC`, workerID).Scan(&notes).Error
	if err != nil {
		return nil, fmt.Errorf("planner: notes: %w", err)
	}
	return notes, nil
}

// AddNote writes a development note by u on a worker in u's scope.
func (s *Store) AddNote(ctx context.Context, u access.User, n Note) (Note, error) {
	if err := mayReadNotes(u); err != nil {
		return Note{}, err
	}
	n.Text = plaintext.Clean(n.Text)
	switch {
	case !contains(Skills, n.Skill):
		return Note{}, problem.Invalid("skill", problem.T(
			"Kies een vaardigheid: punctuality (op tijd), cooperation (samenwerken), safety (veilig werken) of craft (vakmanschap).",
			"Choose a skill: punctuality, cooperation, safety or craft."))
	case n.Score != nil && (*n.Score < 1 || *n.Score > 5):
		return Note{}, problem.Invalid("score", problem.T("Een score is 1 tot en met 5.", "A score is 1 to 5."))
	case n.Text == "":
		return Note{}, problem.Invalid("text", problem.T("Schrijf een notitie.", "Write a note."))
	case utf8.RuneCountInString(n.Text) > MaxNoteText:
		return Note{}, problem.Invalid("text", problem.Sprintf("De notitie is te lang (hoogstens %d tekens).",
			"The note is too long (at most %d characters).", MaxNoteText))
	}
	n.AuthorID, n.Author = u.ID, u.Email
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := inScope(ctx, tx, u, n.WorkerID); err != nil {
			return err
		}
		var row struct {
			ID        int64
			CreatedAt time.Time
		}
		err := tx.WithContext(ctx).Raw(`INSERT INTO development_notes (worker_id, author_id, skill, score, text)
VALUES (?, ?, ?, ?, ?) RETURNING id, created_at`, n.WorkerID, n.AuthorID, n.Skill, n.Score, n.Text).Scan(&row).Error
		if err != nil {
			// The error text of the driver does not hold the row, but say nothing more
			// than that the insert failed.
			return fmt.Errorf("planner: add note for worker %d failed: %w", n.WorkerID, err)
		}
		n.ID, n.CreatedAt = row.ID, row.CreatedAt.UTC()
		return nil
	})
	if err != nil {
		return Note{}, err
	}
	return n, nil
}
