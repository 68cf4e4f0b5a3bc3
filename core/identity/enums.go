package identity

import "github.com/multisaude/multisaude/core/kernel"

// The closed sets identity validates against, listed (sorted) for the API's
// description: each is read from the declaration the validation uses.

// Scopes lists the API key scopes.
func Scopes() []string { return keysOf(knownScopes) }

// UFList lists the 27 federative units.
func UFList() []string { return keysOf(UFs) }

// Councils lists the professional councils (each profession's, see CouncilFor).
func Councils() []string {
	set := map[string]bool{}
	for _, c := range professionCouncil {
		set[c] = true
	}
	return keysOf(set)
}

// Modes lists how a professional attends.
func Modes() []string { return []string{ModeInPerson, ModeTelemedicine} }

// Roles lists a company member's roles.
func Roles() []string { return []string{RoleAdmin, RoleStaff} }

// Statuses lists the verification statuses of professionals and companies.
func Statuses() []string {
	return []string{string(StatusPending), string(StatusVerified), string(StatusRejected)}
}

// SignInKinds lists the account kinds a password grant may name.
func SignInKinds() []string {
	out := []string{}
	for _, k := range []kernel.AccountKind{kernel.KindPatient, kernel.KindProfessional, kernel.KindCompanyMember, kernel.KindAdmin} {
		if _, ok := accountKindOf(string(k)); ok {
			out = append(out, string(k))
		}
	}
	return out
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return sortStrings(out)
}

// Patterns of what the normalizers accept, for the API's description (the
// normalizers decide; these say the same in a regular expression).
const (
	// CPFPattern: 11 digits, with or without the usual punctuation (NormalizeCPF).
	CPFPattern = `^[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}-?[0-9]{2}$`
	// CPFStoredPattern: a CPF as the API answers it.
	CPFStoredPattern = `^[0-9]{11}$`
	// CNPJPattern: twelve characters 0-9/A-Z (either case) and two check digits,
	// with or without "./-" (NormalizeCNPJ).
	CNPJPattern = `^[0-9A-Za-z]{2}\.?[0-9A-Za-z]{3}\.?[0-9A-Za-z]{3}/?[0-9A-Za-z]{4}-?[0-9]{2}$`
	// CNPJStoredPattern: a CNPJ as the API answers it.
	CNPJStoredPattern = `^[0-9A-Z]{12}[0-9]{2}$`
	// CEPPattern: eight digits, with or without the hyphen (NormalizeCEP).
	CEPPattern = `^[0-9]{5}-?[0-9]{3}$`
)
