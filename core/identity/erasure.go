package identity

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// Anonymised are the non-identifying values an erased account takes. They
// are unique per account, so the unique constraints on e-mail, CPF and
// council registration stay valid and the real values are free again.
type Anonymised struct {
	Email     string
	Name      string
	Document  string // replaces the CPF (and a professional's council number)
	BirthDate string
	Reason    string // a professional's status reason
}

// AnonymisedValues are the values AnonymiseAccount writes for account id.
func AnonymisedValues(id kernel.ID) Anonymised {
	return Anonymised{Email: "eliminado-" + id + "@anonimizado.invalid", Name: "Titular eliminado", Document: "anon-" + id,
		BirthDate: "1900-01-01", Reason: "conta eliminada a pedido do titular (LGPD, art. 18)"}
}

// EraseAccount anonymises an account at its holder's erasure request (LGPD
// art. 18, IV and VI): name, e-mail, phone, CPF, birth date and address are
// replaced by AnonymisedValues; the account is disabled, so it can no longer
// sign in, and every session, refresh token and access token ends. A
// professional's profile leaves search (it is no longer verified). Only the
// consent context calls it, as the platform, after the holder confirmed.
// Running it again changes nothing more; kernel.KindNotFound when absent.
func (s *Service) EraseAccount(ctx context.Context, id kernel.ID) error {
	if !kernel.ValidID(id) {
		return kernel.NotFound("conta não encontrada")
	}
	now := s.clock.Now().UTC()
	if err := s.store.AnonymiseAccount(ctx, id, AnonymisedValues(id), now); err != nil {
		return err
	}
	s.log.Info("account anonymised at its holder's request", "account_id", id)
	return nil
}
