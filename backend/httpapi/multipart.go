package httpapi

import (
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"wijkwerk/backend/problem"
)

// Form is a multipart form read into memory: small text fields and a few files.
type Form struct {
	Fields map[string]string
	Files  map[string][][]byte
}

// Limits on multipart forms.
const (
	maxFormField  = 64 << 10
	maxFormFields = 32
)

// IsMultipart reports whether the request is multipart/form-data.
func IsMultipart(c echo.Context) bool {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	return err == nil && mt == "multipart/form-data"
}

// ReadForm reads a multipart/form-data body. Each file part may hold at most maxFile
// bytes, and at most maxFiles files are taken in all; parts without a file name are text
// fields, refused (as a JSON body's text is) when they or their names are not UTF-8.
func ReadForm(c echo.Context, maxFile int64, maxFiles int) (Form, error) {
	if !IsMultipart(c) {
		return Form{}, problem.UnsupportedMedia.New(problem.T(
			"Stuur dit als multipart/form-data.", "Send this as multipart/form-data."))
	}
	if err := PlainBody(c); err != nil {
		return Form{}, err
	}
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return Form{}, problem.BadRequest.Wrap(err, problem.T("Het formulier klopt niet.", "The form is not valid."))
	}
	f := Form{Fields: map[string]string{}, Files: map[string][][]byte{}}
	files := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return Form{}, formError(err)
		}
		name := part.FormName()
		if part.FileName() == "" {
			if len(f.Fields) >= maxFormFields {
				return Form{}, problem.Invalid(name, problem.T("Het formulier heeft te veel velden.", "The form has too many fields."))
			}
			b, err := io.ReadAll(io.LimitReader(part, maxFormField+1))
			if err != nil {
				return Form{}, formError(err)
			}
			if len(b) > maxFormField {
				return Form{}, problem.Invalid(name, problem.T("Dit veld is te lang.", "This field is too long."))
			}
			if !utf8.Valid(b) || !utf8.ValidString(name) {
				// What the JSON decoder refuses too (invalidText): its text would be
				// stored with U+FFFD in its place.
				return Form{}, invalidText(strings.ToValidUTF8(name, "\uFFFD"))
			}
			if _, twice := f.Fields[name]; twice {
				// Which one was meant? (kind=before and kind=after in one upload.)
				return Form{}, problem.Invalid(name, problem.T("Stuur ieder veld één keer.", "Send each field once."))
			}
			f.Fields[name] = strings.TrimSpace(string(b))
			continue
		}
		files++
		if files > maxFiles {
			if maxFiles == 1 {
				return Form{}, problem.Invalid(name, problem.T("Stuur één foto.", "Send one photo."))
			}
			return Form{}, problem.Invalid(name, problem.Sprintf("Stuur hoogstens %d foto's.", "Send at most %d photos.", maxFiles))
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFile+1))
		if err != nil {
			return Form{}, formError(err)
		}
		if int64(len(b)) > maxFile {
			return Form{}, PhotosTooLarge(1, maxFile)
		}
		f.Files[name] = append(f.Files[name], b)
	}
}

func formError(err error) error {
	if p, ok := ReadError(err).(*problem.Error); ok && p.Type == problem.BodyTooLarge.Type {
		return p
	}
	return problem.BadRequest.Wrap(err, problem.T("Het formulier kwam niet goed aan.", "The form could not be read."))
}
