package testdb

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/identity"
)

type accountFixture struct {
	bun.BaseModel `bun:"table:identity_accounts"`
	ID            string    `bun:"id"`
	Kind          string    `bun:"kind"`
	Email         string    `bun:"email"`
	Name          string    `bun:"name"`
	PasswordHash  string    `bun:"password_hash"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

type professionalFixture struct {
	bun.BaseModel `bun:"table:identity_professionals"`
	ID            string    `bun:"id"`
	CPF           string    `bun:"cpf"`
	Profession    string    `bun:"profession"`
	CouncilType   string    `bun:"council_type"`
	CouncilNumber string    `bun:"council_number"`
	CouncilUF     string    `bun:"council_uf"`
	Specialties   string    `bun:"specialties"`
	PriceAmount   int64     `bun:"price_amount"`
	PriceCurrency string    `bun:"price_currency"`
	Modes         string    `bun:"modes"`
	CEP           string    `bun:"cep"`
	City          string    `bun:"city"`
	UF            string    `bun:"uf"`
	Lat           *float64  `bun:"lat"`
	Lng           *float64  `bun:"lng"`
	Status        string    `bun:"status"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

// InsertProfessionals writes n professionals in bulk, oldest first: the second is
// pending, the last is the only cardiologist in Campinas, every other a verified
// dermatologist in São Paulo.
func InsertProfessionals(t *testing.T, db *sqlstore.DB, n int) {
	t.Helper()
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lat, lng := -22.9, -47.06
	for from := 1; from <= n; from += 1000 {
		var accs []accountFixture
		var pros []professionalFixture
		for i := from; i < min(from+1000, n+1); i++ {
			id, at := fmt.Sprintf("01900000-0000-7000-8000-%012x", i), t0.Add(time.Duration(i)*time.Minute)
			accs = append(accs, accountFixture{ID: id, Kind: "professional", Email: fmt.Sprintf("pro%d@example.com", i),
				Name: fmt.Sprintf("Pro %d", i), PasswordHash: "x", CreatedAt: at, UpdatedAt: at})
			p := professionalFixture{ID: id, CPF: fmt.Sprintf("%011d", i), Profession: "physician", CouncilType: "CRM",
				CouncilNumber: fmt.Sprint(i), CouncilUF: "SP", Specialties: `["dermatology"]`, PriceAmount: 20000, PriceCurrency: "BRL",
				Modes: `["in_person","telemedicine"]`, CEP: "01310-100", City: "São Paulo", UF: "SP", Status: string(identity.StatusVerified), CreatedAt: at, UpdatedAt: at}
			if i == 2 {
				p.Status = string(identity.StatusPending)
			}
			if i == n {
				p.Specialties, p.CEP, p.City, p.Lat, p.Lng = `["cardiology"]`, "13010-000", "Campinas", &lat, &lng
			}
			pros = append(pros, p)
		}
		if _, err := db.NewInsert().Model(&accs).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.NewInsert().Model(&pros).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
