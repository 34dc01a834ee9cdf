package planner

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/photo"
	"wijkwerk/backend/problem"
)

// ActionRemovePhoto is the audit action of a desk user taking a photo off a job.
const ActionRemovePhoto = "remove_photo"

// photoKinds are the kinds of a job's photos: a resident's (report) and the crew's
// (before, after).
var photoKinds = []string{"report", "before", "after"}

// RemovePhoto takes the photo hash of kind off job id in planner u's scope, whatever the
// job's status: a photo that should not be seen (a face, a house, a photo of something
// else) goes from the desk, the crew's phones and, for a done job's after-photo, the
// public tracking page and Open311. The job's history says who removed a photo of which
// kind, and when; not which photo. The file itself is the caller's to discard
// (photo.Store.Discard), once the removal has committed. A photo the job does not have
// is not found.
func (s *Store) RemovePhoto(ctx context.Context, u access.User, id int64, kind, hash string) error {
	if !slices.Contains(photoKinds, kind) || !photo.ValidHash(hash) {
		return errPhotoNotFound()
	}
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		cond, args := jobScope(u)
		var cur struct {
			ID      int64
			Status  string
			InScope bool
		}
		err := tx.WithContext(ctx).Raw(`SELECT j.id, j.status, (`+cond+`) AS in_scope FROM jobs j WHERE j.id = ? FOR UPDATE`,
			append(args, id)...).Scan(&cur).Error
		if err != nil {
			return fmt.Errorf("planner: remove photo: %w", err)
		}
		if cur.ID == 0 || !cur.InScope {
			return errJobNotFound()
		}
		had, err := job.DetachPhoto(ctx, tx, id, kind, hash)
		if err != nil {
			return err
		}
		if !had {
			return errPhotoNotFound()
		}
		st := job.Status(cur.Status)
		return job.Record(ctx, tx, job.Event{JobID: id, Actor: Actor(u), Action: ActionRemovePhoto, From: st, To: st,
			Detail: map[string]any{"photo_kind": kind}})
	})
}

func errPhotoNotFound() error {
	return problem.NotFound.New(problem.T(
		"Deze foto hoort niet (meer) bij deze taak.", "This photo is not (or no longer) part of this job."))
}
