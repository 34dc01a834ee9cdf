package initiative

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/idempotency"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/publiccode"
)

// ContributionReceipt is the answer to logged work: the contribution and the totals.
type ContributionReceipt struct {
	ID            int64         `json:"id"`
	Date          string        `json:"date"`
	Hours         float64       `json:"hours"`
	People        int           `json:"people"`
	What          string        `json:"what"`
	Status        Status        `json:"status"`
	Contributions Contributions `json:"contributions"`
}

// Contribute logs residents' work on the initiative with code. Only an approved or
// active initiative takes contributions; the first one makes it active. The date may
// not lie in the future nor before the approval day. A retry with the same key returns
// the first answer.
func (s *Service) Contribute(ctx context.Context, code string, c Contribution, key string) (rc ContributionReceipt, replayed bool, err error) {
	code, ok := publiccode.Parse(code)
	if !ok {
		return ContributionReceipt{}, false, errNotFound()
	}
	y, m, d := s.now().In(job.Amsterdam).Date()
	day, err := c.validate(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return ContributionReceipt{}, false, err
	}
	scope := "initiative-contribution:" + code
	var hash []byte
	if key != "" {
		b, _ := json.Marshal(c)
		hash = idempotency.Hash(b)
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		replayed = false
		if key != "" {
			stored, err := idempotency.Claim(ctx, tx, scope, key, hash)
			if err != nil {
				return err
			}
			if stored != nil {
				replayed = true
				return json.Unmarshal(stored.Response, &rc)
			}
		}
		var cur struct {
			ID        int64
			Status    string
			DecidedAt *time.Time
		}
		err := tx.WithContext(ctx).Raw(`SELECT id, status, decided_at FROM initiatives WHERE code = ? FOR UPDATE`, code).Scan(&cur).Error
		if err != nil {
			return fmt.Errorf("initiative: contribute: %w", err)
		}
		if cur.ID == 0 {
			return errNotFound()
		}
		from := Status(cur.Status)
		if !from.Raised() {
			return problem.InvalidTransition.New(notRunning(from))
		}
		if cur.DecidedAt != nil {
			y, m, d := cur.DecidedAt.In(job.Amsterdam).Date()
			if day.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
				return problem.Invalid("date", problem.T("De datum ligt vóór de goedkeuring van het initiatief.",
					"The date is before the initiative was approved."))
			}
		}
		err = tx.WithContext(ctx).Raw(`
INSERT INTO initiative_contributions (initiative_id, day, hours, people, what) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			cur.ID, day, c.Hours, c.People, c.What).Scan(&rc.ID).Error
		if err != nil {
			return fmt.Errorf("initiative: contribute: %w", err)
		}
		rc.Status = from
		if from == Approved {
			rc.Status = Active
			if err := tx.WithContext(ctx).Exec(`UPDATE initiatives SET status = 'active', updated_at = now() WHERE id = ?`, cur.ID).Error; err != nil {
				return fmt.Errorf("initiative: contribute: %w", err)
			}
			if err := record(ctx, tx, event{ID: cur.ID, Actor: "resident", Action: "started", From: Approved, To: Active}); err != nil {
				return err
			}
		}
		err = tx.WithContext(ctx).Raw(`SELECT count(*) AS count, COALESCE(sum(hours), 0) AS hours FROM initiative_contributions WHERE initiative_id = ?`,
			cur.ID).Scan(&rc.Contributions).Error
		if err != nil {
			return fmt.Errorf("initiative: contribute: %w", err)
		}
		rc.Contributions.Hours = round2(rc.Contributions.Hours)
		rc.Date, rc.Hours, rc.People, rc.What = day.Format(time.DateOnly), c.Hours, c.People, c.What
		if key != "" {
			return idempotency.Save(ctx, tx, scope, key, 201, rc)
		}
		return nil
	})
	if err != nil {
		return ContributionReceipt{}, false, err
	}
	return rc, replayed, nil
}

// notRunning says why no work can be logged on an initiative in status s, and whether
// that may change: a proposal may still be approved and a pause end, a rejected or
// ended initiative stays so.
func notRunning(s Status) problem.Text {
	switch s {
	case Proposed:
		return withStatus("U kunt nog geen werk bijschrijven: het initiatief heeft de status %q. Dat kan als het is goedgekeurd.",
			"You cannot log work yet: the initiative's status is %q. You can once it is approved.", s)
	case Paused:
		return withStatus("U kunt nu geen werk bijschrijven: het initiatief heeft de status %q. Dat kan weer als de pauze voorbij is.",
			"You cannot log work now: the initiative's status is %q. You can again once the pause is over.", s)
	}
	return withStatus("U kunt geen werk meer bijschrijven: het initiatief heeft de status %q.",
		"You can no longer log work: the initiative's status is %q.", s)
}
