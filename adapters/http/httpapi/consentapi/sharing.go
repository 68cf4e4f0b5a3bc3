package consentapi

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/consent"
)

// RecipientResponse is who received the data.
type RecipientResponse struct {
	Kind string `json:"kind"` // professional, company, api_key, platform
	ID   string `json:"id"`
	Name string `json:"name"` // empty when the recipient's account no longer exists
}

var recipientKinds = []string{"professional", "company", "api_key", "platform"}

// Limits documents the formats.
func (RecipientResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"kind": {Enum: recipientKinds}}
}

// SharingLineResponse is one recipient, one category of data and one basis.
type SharingLineResponse struct {
	Recipient    RecipientResponse `json:"recipient"`
	Category     string            `json:"category"`      // a data class code
	CategoryName string            `json:"category_name"` // pt-BR
	Basis        string            `json:"basis"`         // care, share, emergency, metadata, order, api_key
	BasisName    string            `json:"basis_name"`    // pt-BR
	FirstAt      time.Time         `json:"first_at"`
	LastAt       time.Time         `json:"last_at"`
	Count        int               `json:"count"`
}

// Limits documents the formats.
func (SharingLineResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"category": {Enum: classCodes()}}
}

// SharingResponse is the patient's sharing report.
type SharingResponse struct {
	Items       []SharingLineResponse `json:"items"`
	Truncated   bool                  `json:"truncated"` // the access log had more entries than the report reads
	GeneratedAt time.Time             `json:"generated_at"`
}

var basisPT = map[string]string{
	"care":      "relação de cuidado (consulta ou exame agendado)",
	"share":     "compartilhamento autorizado por você",
	"emergency": "acesso de emergência (quebra de vidro), com justificativa",
	"metadata":  "administração da plataforma (somente metadados, nunca o conteúdo)",
	"order":     "pedido feito por você a uma empresa parceira",
	"api_key":   "integração da empresa parceira (chave de API)",
}

func (m *Module) registerSharing(r *httpapi.Router) {
	r.Handle(fiber.MethodGet, "/v1/me/sharing", httpapi.Op{ID: "getMySharing", Tag: tag, Auth: httpapi.User,
		Summary:     "Who received which category of my data, when and on what basis (patients)",
		Description: "Built from the record's access log (the newest " + strconv.Itoa(consent.MaxSharingAccesses) + " entries; `truncated` says when there were more) and the disclosures made to partners (orders). The patient's own reads are left out.",
		Responses:   ok(200, SharingResponse{}, 401, 403)}, m.getMySharing)
}

func (m *Module) getMySharing(c *fiber.Ctx) error {
	rep, err := m.svc.MySharing(c.UserContext(), httpapi.PrincipalOf(c))
	if err != nil {
		return err
	}
	out := SharingResponse{Items: make([]SharingLineResponse, 0, len(rep.Lines)), Truncated: rep.Truncated, GeneratedAt: rep.GeneratedAt}
	for _, l := range rep.Lines {
		name := l.Category
		if dc, ok := consent.Class(l.Category); ok {
			name = dc.Name
		}
		bn, ok := basisPT[l.Basis]
		if !ok {
			bn = "consentimento para " + l.Basis
		}
		out.Items = append(out.Items, SharingLineResponse{Recipient: RecipientResponse{Kind: l.Recipient.Kind, ID: l.Recipient.ID, Name: l.Recipient.Name},
			Category: l.Category, CategoryName: name, Basis: l.Basis, BasisName: bn, FirstAt: l.First, LastAt: l.Last, Count: l.Count})
	}
	return httpapi.OK(c, out)
}
