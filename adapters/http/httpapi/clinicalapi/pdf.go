package clinicalapi

import (
	"fmt"
	"time"

	"github.com/multisaude/multisaude/adapters/documents/pdfdoc"
	"github.com/multisaude/multisaude/core/clinical"
)

var saoPaulo = func() *time.Location {
	if l, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		return l
	}
	return time.UTC
}()

// PrescriptionPDF renders a prescription with the same data and verification
// code as the signed document; a special control prescription has two copies.
func PrescriptionPDF(rx clinical.Prescription) []byte {
	copies := []string{""}
	title := "RECEITUÁRIO"
	if rx.Type == clinical.RxSpecialControl {
		title = "RECEITUÁRIO DE CONTROLE ESPECIAL"
		copies = []string{"1ª via: retenção da farmácia", "2ª via: orientação ao paciente"}
	}
	p := rx.Prescriber
	var pages []pdfdoc.Page
	for _, cp := range copies {
		ls := []pdfdoc.Line{{Text: title, Size: 16, Bold: true}}
		if cp != "" {
			ls = append(ls, pdfdoc.Line{Text: cp, Bold: true})
		}
		ls = append(ls,
			pdfdoc.Line{Text: ""},
			pdfdoc.Line{Text: "Emitente", Bold: true},
			pdfdoc.Line{Text: fmt.Sprintf("%s — %s %s/%s", p.Name, p.CouncilType, p.CouncilNumber, p.CouncilUF)},
			pdfdoc.Line{Text: ""},
			pdfdoc.Line{Text: "Paciente", Bold: true},
			pdfdoc.Line{Text: rx.PatientName})
		if rx.PatientAddress != "" {
			ls = append(ls, pdfdoc.Line{Text: "Endereço: " + rx.PatientAddress})
		}
		ls = append(ls, pdfdoc.Line{Text: ""}, pdfdoc.Line{Text: "Prescrição", Bold: true})
		for i, it := range rx.Items {
			head := fmt.Sprintf("%d. %s", i+1, it.Drug)
			if it.Concentration != "" {
				head += " " + it.Concentration
			}
			if it.Form != "" {
				head += " (" + it.Form + ")"
			}
			ls = append(ls, pdfdoc.Line{Text: head, Bold: true})
			if it.ActiveIngredient != "" {
				ls = append(ls, pdfdoc.Line{Text: "   Princípio ativo: " + it.ActiveIngredient})
			}
			if it.Quantity != "" {
				ls = append(ls, pdfdoc.Line{Text: "   Quantidade: " + it.Quantity})
			}
			ls = append(ls, pdfdoc.Line{Text: "   Posologia: " + it.Dosage})
			if it.Route != "" {
				ls = append(ls, pdfdoc.Line{Text: "   Via: " + it.Route})
			}
			if it.Instructions != "" {
				ls = append(ls, pdfdoc.Line{Text: "   " + it.Instructions})
			}
		}
		ls = append(ls, pdfdoc.Line{Text: ""},
			pdfdoc.Line{Text: "Data de emissão: " + rx.IssuedAt.In(saoPaulo).Format("02/01/2006 15:04")})
		if rx.ValidUntil != nil {
			ls = append(ls, pdfdoc.Line{Text: "Válida até: " + rx.ValidUntil.In(saoPaulo).Format("02/01/2006")})
		}
		if rx.Type == clinical.RxSpecialControl {
			ls = append(ls, pdfdoc.Line{Text: ""}, pdfdoc.Line{Text: "Identificação do comprador (preenchida pela farmácia)", Bold: true},
				pdfdoc.Line{Text: "Nome: ______________________  RG: ____________  Endereço: ____________________"},
				pdfdoc.Line{Text: "Identificação do fornecedor: ______________________  Data: ___/___/______"})
		}
		ls = append(ls, pdfdoc.Line{Text: ""},
			pdfdoc.Line{Text: "Código de verificação: " + rx.VerificationCode, Bold: true, Size: 13},
			pdfdoc.Line{Text: "Verifique em /v1/prescription-verifications/" + rx.VerificationCode},
			pdfdoc.Line{Text: fmt.Sprintf("Assinado digitalmente pela plataforma (%s, chave %s)", rx.Signature.Algorithm, rx.Signature.KeyID), Size: 8})
		if rx.Status == clinical.RxCancelled {
			ls = append(ls, pdfdoc.Line{Text: "CANCELADA", Bold: true, Size: 16})
		}
		pages = append(pages, pdfdoc.Page{Lines: ls})
	}
	return pdfdoc.Render("Receita "+rx.VerificationCode, pages)
}
