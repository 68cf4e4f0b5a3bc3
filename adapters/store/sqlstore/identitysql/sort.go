package identitysql

import (
	"sort"
	"strings"

	"github.com/multisaude/multisaude/core/identity"
)

// sortProfessionals orders by lower-cased name, then ID; each name is lowered once,
// not at every comparison (20,000 professionals make about 600,000 comparisons).
func sortProfessionals(ps []identity.Professional) {
	keys := make([]string, len(ps))
	for i := range ps {
		keys[i] = strings.ToLower(ps[i].Name)
	}
	sort.Stable(byName{ps, keys})
}

type byName struct {
	ps   []identity.Professional
	keys []string
}

func (b byName) Len() int { return len(b.ps) }
func (b byName) Less(i, j int) bool {
	if b.keys[i] != b.keys[j] {
		return b.keys[i] < b.keys[j]
	}
	return b.ps[i].ID < b.ps[j].ID
}
func (b byName) Swap(i, j int) {
	b.ps[i], b.ps[j] = b.ps[j], b.ps[i]
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
}
