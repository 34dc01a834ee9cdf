package httpapi

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"wijkwerk/backend/photo"
	"wijkwerk/backend/problem"
)

// ServePhoto answers a stored photo when visible says the caller may see it. Photos are
// named by their content, so they may be cached for a year; cacheScope is "public" or
// "private".
func ServePhoto(c echo.Context, store *photo.Store, hash string, visible func(ctx context.Context, hash string) (bool, error), cacheScope string) error {
	notFound := problem.NotFound.New(problem.T("Deze foto bestaat niet.", "This photo does not exist."))
	if !photo.ValidHash(hash) {
		return notFound // not a name the store gives: no need to ask the database
	}
	ok, err := visible(c.Request().Context(), hash)
	if err != nil {
		return err
	}
	if !ok {
		return notFound
	}
	f, err := store.Open(hash)
	if errors.Is(err, fs.ErrNotExist) {
		return notFound
	}
	if err != nil {
		return err
	}
	defer f.Close()
	c.Response().Header().Set("Cache-Control", cacheScope+", max-age=31536000, immutable")
	c.Response().Header().Set("Content-Type", photo.ContentType)
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, f)
	return nil
}
