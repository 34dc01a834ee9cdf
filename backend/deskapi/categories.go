package deskapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"wijkwerk/backend/access"
	"wijkwerk/backend/category"
	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/problem"
)

// RegisterCategories lets admins edit the report categories at /api/v1/desk/categories.
// After an edit this replica's intake cache is refreshed; others follow within its TTL.
func RegisterCategories(g Groups, store *category.Store, cache *category.Cache) {
	h := &categoriesHandler{store: store, cache: cache}
	admin := RequireRole(access.Admin)
	g.Desk.GET("/categories", h.list, RequireRole(access.Planner, access.JobCoach, access.Admin))
	g.Desk.PUT("/categories/:code", h.put, admin, httpapi.LimitBody(64<<10))
}

type categoriesHandler struct {
	store *category.Store
	cache *category.Cache
}

func (h *categoriesHandler) list(c echo.Context) error {
	cats, err := h.store.List(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"categories": cats})
}

// put creates or replaces one category. A sub category needs an existing parent and a
// department; the codes of existing categories never change, since reports refer to them.
func (h *categoriesHandler) put(c echo.Context) error {
	var cat category.Category
	// Every field is kept: a misspelt one ("optionz_en") is refused, not lost.
	if err := httpapi.DecodeJSONStrict(c, &cat); err != nil {
		return err
	}
	cat.Code = c.Param("code")
	cat.CleanTexts()
	if err := validateCategory(cat); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if cat.ParentCode != "" {
		if _, err := h.store.Get(ctx, cat.ParentCode); errors.Is(err, category.ErrNotFound) {
			return problem.Invalid("parent_code", problem.T("Deze hoofdcategorie bestaat niet.", "This parent category does not exist."))
		} else if err != nil {
			return err
		}
	}
	if err := h.store.Upsert(ctx, []category.Category{cat}); err != nil {
		return err
	}
	h.cache.Invalidate()
	saved, err := h.store.Get(ctx, cat.Code)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, saved)
}

func validateCategory(c category.Category) error {
	switch {
	case c.Code == "" || len(c.Code) > 60 || strings.ContainsAny(c.Code, " /?#"):
		return problem.Invalid("code", problem.T("De code mag geen spaties of / bevatten (hoogstens 60 tekens).", "The code may not contain spaces or / (at most 60 characters)."))
	case strings.TrimSpace(c.NameNL) == "" || len(c.NameNL) > 100 || len(c.NameEN) > 100:
		return problem.Invalid("name_nl", problem.T("Geef een Nederlandse naam (hoogstens 100 tekens).", "Give a Dutch name (at most 100 characters)."))
	case c.Department != "" && !c.Department.Valid():
		return problem.Invalid("department", problem.T("Deze afdeling bestaat niet.", "Unknown department."))
	case c.ParentCode != "" && c.Department == "":
		return problem.Invalid("department", problem.T("Een subcategorie heeft een afdeling nodig.", "A sub category needs a department."))
	case c.HandlingDays < 0 || c.HandlingDays > 120:
		return problem.Invalid("handling_days", problem.T("De afhandeltijd moet tussen 0 en 120 werkdagen liggen.", "Handling time must be 0 to 120 working days."))
	case c.EffortMinutes < 0 || c.EffortMinutes > 10*60*8:
		return problem.Invalid("effort_minutes", problem.T("De inzet in minuten klopt niet.", "The effort in minutes is not valid."))
	}
	switch c.Trainee {
	case "", category.TraineeAlone, category.TraineePaired, category.TraineeNo:
	default:
		return problem.Invalid("trainee", problem.T("Kies alone, paired of no.", "Choose alone, paired or no."))
	}
	for _, q := range c.Questions {
		if q.Key == "" || q.TextNL == "" {
			return problem.Invalid("questions", problem.T("Elke vraag heeft een sleutel en een Nederlandse tekst nodig.", "Every question needs a key and a Dutch text."))
		}
		if q.RepeatsOption() {
			return problem.Invalid("questions", problem.T("Twee antwoorden (of hun Engelse namen) zijn gelijk. Maak ze verschillend.",
				"Two options (or their English names) are the same. Make them different."))
		}
		if q.Check() != nil {
			return problem.Invalid("questions", problem.T("Geef voor elk antwoord één Engelse naam (options_en), of geen.",
				"Give one English name for each option (options_en), or none."))
		}
	}
	return nil
}
