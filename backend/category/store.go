package category

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ErrNotFound means no category has that code.
var ErrNotFound = errors.New("category: not found")

// Store reads and writes categories.
type Store struct {
	db *gorm.DB
}

// NewStore returns a Store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

type categoryRow struct {
	Code          string `gorm:"primaryKey"`
	ParentCode    *string
	NameNL        string `gorm:"column:name_nl"`
	NameEN        string `gorm:"column:name_en"`
	Icon          string
	Department    *string
	HandlingDays  int
	EffortMinutes int
	Trainee       string
	Theme         string
	Urgent        bool
	Questions     []byte `gorm:"type:jsonb"`
	SortOrder     int
	Active        bool
}

func (categoryRow) TableName() string { return "categories" }

func toRow(c Category) (categoryRow, error) {
	q := c.Questions
	if q == nil {
		q = []Question{}
	}
	qs, err := json.Marshal(q)
	if err != nil {
		return categoryRow{}, err
	}
	if c.Trainee == "" {
		c.Trainee = TraineeAlone
	}
	r := categoryRow{
		Code: c.Code, NameNL: c.NameNL, NameEN: c.NameEN, Icon: c.Icon,
		HandlingDays: c.HandlingDays, EffortMinutes: c.EffortMinutes, Trainee: string(c.Trainee),
		Theme: c.Theme, Urgent: c.Urgent, Questions: qs, SortOrder: c.SortOrder, Active: true,
	}
	if c.ParentCode != "" {
		r.ParentCode = &c.ParentCode
	}
	if c.Department != "" {
		d := string(c.Department)
		r.Department = &d
	}
	return r, nil
}

func (r categoryRow) category() Category {
	c := Category{
		Code: r.Code, NameNL: r.NameNL, NameEN: r.NameEN, Icon: r.Icon,
		HandlingDays: r.HandlingDays, EffortMinutes: r.EffortMinutes, Trainee: TraineeRule(r.Trainee),
		Theme: r.Theme, Urgent: r.Urgent, SortOrder: r.SortOrder,
	}
	if r.ParentCode != nil {
		c.ParentCode = *r.ParentCode
	}
	if r.Department != nil {
		c.Department = Department(*r.Department)
	}
	_ = json.Unmarshal(r.Questions, &c.Questions)
	return c
}

// Upsert writes categories, updating those whose code exists. Parents must come first.
func (s *Store) Upsert(ctx context.Context, cats []Category) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, c := range cats {
			r, err := toRow(c)
			if err != nil {
				return fmt.Errorf("category: %s: %w", c.Code, err)
			}
			err = tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "code"}}, UpdateAll: true}).Create(&r).Error
			if err != nil {
				return fmt.Errorf("category: upsert %s: %w", c.Code, err)
			}
		}
		return nil
	})
}

// AddMissing writes the categories whose code is not in the store yet and leaves the
// others as they are (an admin may have changed them in the desk). Parents must come
// first. It returns how many it added.
func (s *Store) AddMissing(ctx context.Context, cats []Category) (int, error) {
	added := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		added = 0
		for _, c := range cats {
			r, err := toRow(c)
			if err != nil {
				return fmt.Errorf("category: %s: %w", c.Code, err)
			}
			res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "code"}}, DoNothing: true}).Create(&r)
			if res.Error != nil {
				return fmt.Errorf("category: add %s: %w", c.Code, res.Error)
			}
			added += int(res.RowsAffected)
		}
		return nil
	})
	return added, err
}

// List returns the active categories in tree order.
func (s *Store) List(ctx context.Context) ([]Category, error) {
	var rows []categoryRow
	if err := s.db.WithContext(ctx).Where("active").Order("sort_order, code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("category: list: %w", err)
	}
	out := make([]Category, len(rows))
	for i, r := range rows {
		out[i] = r.category()
	}
	return out, nil
}

// Get returns the active category with code.
func (s *Store) Get(ctx context.Context, code string) (Category, error) {
	var r categoryRow
	err := s.db.WithContext(ctx).Where("code = ? AND active", code).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Category{}, ErrNotFound
	}
	if err != nil {
		return Category{}, fmt.Errorf("category: get %s: %w", code, err)
	}
	return r.category(), nil
}
