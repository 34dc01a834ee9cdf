package report

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

type insertedReport struct {
	id           int64
	trackingCode string
	createdAt    time.Time
}

const insertReportSQL = `
INSERT INTO reports (tracking_code, job_id, category_code, location, area_id, description, answers, channel, duplicate)
VALUES (?, ?, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326), ?, ?, ?, ?, ?)
ON CONFLICT (tracking_code) DO NOTHING
RETURNING id, created_at`

func insertReport(ctx context.Context, tx *gorm.DB, sub Submission, jobID, areaID int64, dup bool) (insertedReport, error) {
	answers := []byte("{}")
	if len(sub.Answers) > 0 {
		answers, _ = json.Marshal(sub.Answers)
	}
	// A tracking code collision is rare (about 49 bits); draw again rather than fail.
	for attempt := 0; attempt < 5; attempt++ {
		code := newTrackingCode()
		var row struct {
			ID        int64
			CreatedAt time.Time
		}
		err := tx.WithContext(ctx).Raw(insertReportSQL, code, jobID, sub.Category, sub.Location[0], sub.Location[1],
			areaID, sub.Description, answers, sub.Channel, dup).Scan(&row).Error
		if err != nil {
			return insertedReport{}, fmt.Errorf("report: insert: %w", err)
		}
		if row.ID == 0 {
			continue
		}
		if !sub.Contact.Empty() {
			err := tx.WithContext(ctx).Exec(`INSERT INTO report_contacts (report_id, email, phone, wants_updates) VALUES (?, ?, ?, ?)`,
				row.ID, sub.Contact.Email, sub.Contact.Phone, sub.Contact.WantsUpdates).Error
			if err != nil {
				return insertedReport{}, fmt.Errorf("report: insert contact: %w", err)
			}
		}
		return insertedReport{id: row.ID, trackingCode: code, createdAt: row.CreatedAt}, nil
	}
	return insertedReport{}, fmt.Errorf("report: no free tracking code after 5 tries")
}
