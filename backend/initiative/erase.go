package initiative

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// EraseContacts deletes the contact details of initiatives that ended or were rejected
// more than retention ago, and returns how many it erased. What residents proposed and
// did stays, without who they are. Running it twice is harmless, so every replica may
// run it.
func EraseContacts(ctx context.Context, db *gorm.DB, retention time.Duration) (int64, error) {
	cutoff := time.Now().Add(-retention)
	res := db.WithContext(ctx).Exec(`
DELETE FROM initiative_contacts ic USING initiatives i
WHERE ic.initiative_id = i.id AND i.status IN ('ended', 'rejected') AND i.closed_at IS NOT NULL AND i.closed_at < ?`, cutoff)
	if res.Error != nil {
		return 0, fmt.Errorf("initiative: erase contacts: %w", res.Error)
	}
	return res.RowsAffected, nil
}
