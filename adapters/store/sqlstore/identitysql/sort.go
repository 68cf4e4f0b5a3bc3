package identitysql

import (
	"sort"
	"strings"

	"github.com/multisaude/multisaude/core/identity"
)

func sortProfessionals(ps []identity.Professional) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := strings.ToLower(ps[i].Name), strings.ToLower(ps[j].Name)
		if a != b {
			return a < b
		}
		return ps[i].ID < ps[j].ID
	})
}
