package identity

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// Me is the caller's own account and profile.
type Me struct {
	Account      Account
	Patient      *Patient
	Professional *Professional
	Company      *Company
}

// GetMe returns the caller's account and profile.
func (s *Service) GetMe(ctx context.Context, p kernel.Principal) (Me, error) {
	if p.IsAnonymous() || p.Kind == kernel.KindAPIKey {
		return Me{}, kernel.Unauthenticated("entre para ver sua conta")
	}
	acc, err := s.store.Account(ctx, p.AccountID)
	if kernel.KindOf(err) == kernel.KindNotFound || err == nil && acc.Disabled {
		return Me{}, kernel.Unauthenticated("a conta não existe mais")
	}
	if err != nil {
		return Me{}, err
	}
	me := Me{Account: acc}
	switch acc.Kind {
	case kernel.KindPatient:
		pt, err := s.store.Patient(ctx, acc.ID)
		if err != nil {
			return Me{}, err
		}
		me.Patient = &pt
	case kernel.KindProfessional:
		pr, err := s.store.Professional(ctx, acc.ID)
		if err != nil {
			return Me{}, err
		}
		me.Professional = &pr
	case kernel.KindCompanyMember:
		c, err := s.store.Company(ctx, acc.CompanyID)
		if err != nil {
			return Me{}, err
		}
		me.Company = &c
	}
	return me, nil
}

// MePatch changes the caller's own profile; nil fields stay. Changing the
// e-mail or the password needs the current password.
type MePatch struct {
	Name, SocialName, Phone, Email, Bio *string
	CurrentPassword, NewPassword        *string
	Address                             *AddressInput
	Specialties, Modes                  *[]string
	Price                               *kernel.Money
}

// UpdateMe applies a patch to the caller's account and profile.
func (s *Service) UpdateMe(ctx context.Context, p kernel.Principal, in MePatch) (Me, error) {
	if p.IsAnonymous() || p.Kind == kernel.KindAPIKey {
		return Me{}, kernel.Unauthenticated("entre para alterar sua conta")
	}
	now := s.clock.Now()
	var prob kernel.Problems
	if p.Kind != kernel.KindPatient && in.SocialName != nil {
		prob.Add("social_name", "é exclusivo para pacientes")
	}
	if p.Kind != kernel.KindProfessional {
		if in.Bio != nil {
			prob.Add("bio", "é exclusivo para profissionais")
		}
		if in.Specialties != nil {
			prob.Add("specialties", "é exclusivo para profissionais")
		}
		if in.Modes != nil {
			prob.Add("modes", "é exclusivo para profissionais")
		}
		if in.Price != nil {
			prob.Add("price", "é exclusivo para profissionais")
		}
	}
	if in.Address != nil && p.Kind != kernel.KindPatient && p.Kind != kernel.KindProfessional {
		prob.Add("address", "não pode ser alterado aqui")
	}
	var newEmail string
	if in.Email != nil {
		newEmail = checkEmail(&prob, "email", *in.Email)
	}
	if in.NewPassword != nil {
		CheckPassword("new_password", *in.NewPassword, newEmail, &prob)
	}
	if (in.Email != nil || in.NewPassword != nil) && (in.CurrentPassword == nil || *in.CurrentPassword == "") {
		prob.Add("current_password", "é obrigatório para alterar o e-mail ou a senha")
	}
	if err := prob.Err(); err != nil {
		return Me{}, err
	}
	var newHash string
	if in.NewPassword != nil {
		h, err := s.hasher.Hash(*in.NewPassword)
		if err != nil {
			return Me{}, kernel.Internal(err, "hash password")
		}
		newHash = h
	}
	var geo *AddressInput // re-geocode after commit when the address changed
	var subject string
	applyAccount := func(a *Account, prob *kernel.Problems) error {
		subject = a.providerSubject()
		if in.CurrentPassword != nil && (in.Email != nil || in.NewPassword != nil) {
			ok, err := s.hasher.Verify(a.PasswordHash, *in.CurrentPassword)
			if err != nil {
				return kernel.Internal(err, "verify password")
			}
			if !ok {
				return kernel.Unprocessable("a senha atual está incorreta", kernel.FieldError{Field: "current_password", Message: "está incorreta"})
			}
		}
		if in.Name != nil {
			a.Name = checkText(prob, "name", *in.Name, true, MaxNameLen)
		}
		if in.Phone != nil {
			a.Phone = checkPhone(prob, "phone", *in.Phone, true)
		}
		if in.Email != nil {
			a.Email = newEmail
		}
		if newHash != "" {
			a.PasswordHash = newHash
		}
		a.UpdatedAt = now
		return nil
	}
	var err error
	switch p.Kind {
	case kernel.KindPatient:
		err = s.store.UpdatePatient(ctx, p.AccountID, func(pt *Patient, a *Account) error {
			var prob kernel.Problems
			if err := applyAccount(a, &prob); err != nil {
				return err
			}
			if in.SocialName != nil {
				pt.SocialName = checkText(&prob, "social_name", *in.SocialName, false, MaxNameLen)
			}
			if in.Address != nil {
				var ap kernel.Problems
				addr := in.Address.validate(&ap, "")
				prob.Merge("address.", &ap)
				if addr != pt.Address {
					pt.Address, pt.Point, geo = addr, nil, in.Address
				}
			}
			pt.Name, pt.Phone, pt.Email, pt.UpdatedAt = a.Name, a.Phone, a.Email, now
			return prob.Err()
		})
	case kernel.KindProfessional:
		err = s.store.UpdateProfessional(ctx, p.AccountID, func(pr *Professional, a *Account) error {
			var prob kernel.Problems
			if err := applyAccount(a, &prob); err != nil {
				return err
			}
			specs, modes, price, bio := pr.Specialties, pr.Modes, pr.Price, pr.Bio
			if in.Specialties != nil {
				specs = *in.Specialties
			}
			if in.Modes != nil {
				modes = *in.Modes
			}
			if in.Price != nil {
				price = *in.Price
			}
			if in.Bio != nil {
				bio = *in.Bio
			}
			addrIn := AddressInput{CEP: pr.Address.CEP, Street: pr.Address.Street, Number: pr.Address.Number,
				Complement: pr.Address.Complement, District: pr.Address.District, City: pr.Address.City, UF: pr.Address.UF}
			if in.Address != nil {
				addrIn = *in.Address
			}
			old := pr.Address
			validateProfessionalProfile(&prob, pr, specs, modes, price, bio, addrIn)
			if pr.Address != old {
				pr.Point, geo = nil, &addrIn
			}
			pr.Name, pr.Phone, pr.Email, pr.UpdatedAt = a.Name, a.Phone, a.Email, now
			return prob.Err()
		})
	default:
		err = s.store.UpdateAccount(ctx, p.AccountID, func(a *Account) error {
			var prob kernel.Problems
			if err := applyAccount(a, &prob); err != nil {
				return err
			}
			return prob.Err()
		})
	}
	if kernel.KindOf(err) == kernel.KindNotFound {
		return Me{}, kernel.Unauthenticated("a conta não existe mais")
	}
	if err != nil {
		return Me{}, err
	}
	if geo != nil {
		s.regeocode(ctx, p, *geo)
	}
	if newHash != "" {
		if err := s.setProviderPassword(ctx, subject, *in.NewPassword); err != nil {
			return Me{}, kernel.Wrap(err, "set the password at the identity provider")
		}
		// Every session ends when the password changes, this one included:
		// its access and refresh tokens stop working; sign in again.
		if err := s.store.EndSessions(ctx, p.AccountID, now); err != nil {
			return Me{}, err
		}
	}
	return s.GetMe(ctx, p)
}

func (s *Service) regeocode(ctx context.Context, p kernel.Principal, in AddressInput) {
	var ap kernel.Problems
	addr := in.validate(&ap, "")
	pt := s.geocode(ctx, addr)
	if pt == nil {
		return
	}
	var err error
	switch p.Kind {
	case kernel.KindPatient:
		err = s.store.UpdatePatient(ctx, p.AccountID, func(x *Patient, _ *Account) error {
			if x.Address == addr {
				x.Point = pt
			}
			return nil
		})
	case kernel.KindProfessional:
		err = s.store.UpdateProfessional(ctx, p.AccountID, func(x *Professional, _ *Account) error {
			if x.Address == addr {
				x.Point = pt
			}
			return nil
		})
	}
	if err != nil {
		s.log.Warn("saving the geocoded point failed", "account_id", p.AccountID, "kind", string(kernel.KindOf(err)))
	}
}
