package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// HeadAsGet answers HEAD for every GET route, as HTTP asks: the GET's status and headers
// without its body. Echo routes HEAD only where one is registered, so a monitor's
// `HEAD /healthz` or a link checker got 405. Register it with Echo.Pre, before routing.
func HeadAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method != http.MethodHead {
			return next(c)
		}
		c.Request().Method = http.MethodGet
		c.Set(headKey, true)
		res := c.Response()
		res.Writer = headWriter{res.Writer}
		return next(c)
	}
}

const headKey = "httpapi.head"

// Method is the request's method as the client sent it: HEAD where HeadAsGet has made
// the request a GET for routing. Logs use it.
func Method(c echo.Context) string {
	if head, _ := c.Get(headKey).(bool); head {
		return http.MethodHead
	}
	return c.Request().Method
}

// headWriter drops a body: the server would send one, as the request now says GET.
type headWriter struct{ http.ResponseWriter }

func (w headWriter) Write(p []byte) (int, error) { return len(p), nil }

// Unwrap lets http.ResponseController reach the writer underneath.
func (w headWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
