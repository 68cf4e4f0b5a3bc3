package commerce

import (
	"slices"
	"strings"

	"github.com/multisaude/multisaude/core/kernel"
)

// Baskets builds the two baskets of purchase options from the matched offers.
//
// A basket takes one unit of one offer in stock for each plan item it covers,
// never more units of a catalogue item (company and SKU, which several plan
// items may share) than its stock. It covers as many plan items as the stock
// allows (every item that has an offer in stock, unless two items compete for
// the last units of the same catalogue item); the others are listed as
// uncovered. Its cost is the sum of the unit prices plus, per partner, the
// largest delivery fee among the lines that cannot be picked up (a partner
// whose lines can all be picked up costs no fee; lines that can be picked up
// are).
//
//   - cheapest: the lowest cost.
//   - fewest_partners: the fewest partners (orders), then the lowest cost.
//
// Both start from a greedy basket (cheapest offer at each step; for
// fewest_partners, the partner covering most items first), made to cover the
// most items by augmenting paths, and improve it with an exact branch and bound
// over the items' offers, capped at BasketSearchNodes nodes: Exact says whether
// it finished. Finally, when one basket happens to be better than the other on
// the other's criterion it replaces it, so the cheapest total is never above
// fewest_partners' and fewest_partners never uses more partners than
// cheapest. Ties go to the first basket found in a canonical order (items by
// number of offers, then ID; offers by price, then company ID, then SKU), so
// the answer does not depend on the order of the input.
func Baskets(items []ItemOptions) (cheapest, fewest Basket) {
	p := newBasketProblem(items)
	empty := p.newAssignment()
	p.augment(empty)
	maxCover := empty.covered()

	g1 := p.newAssignment()
	p.greedyCheapest(g1)
	p.augment(g1)
	g2 := p.newAssignment()
	p.greedyFewest(g2)
	p.augment(g2)

	c1, c2 := p.cost(g1), p.cost(g2)
	seedC, seedF := g1, g2
	if c2.betterCheapest(c1) {
		seedC = g2
	}
	if c1.betterFewest(c2) {
		seedF = g1
	}
	bc, exactC := p.search(seedC, maxCover, false)
	bf, exactF := p.search(seedF, maxCover, true)
	ec, ef := p.cost(bc), p.cost(bf)
	if ef.betterCheapest(ec) {
		bc, ec = bf, ef
	}
	if ec.betterFewest(ef) {
		bf = bc
	}
	return p.basket(bc, exactC), p.basket(bf, exactF)
}

// cand is one usable offer of a search item.
type cand struct {
	offer    int   // index into the item's Offers
	key      int   // the catalogue item (company, SKU)
	partner  int   // the company
	price    int64 // centavos
	fee      int64 // delivery fee when the line cannot be picked up, else 0
	delivery bool  // the line cannot be picked up
}

type basketProblem struct {
	items    []ItemOptions
	order    []int    // search item -> index into items
	cands    [][]cand // per search item, cheapest first
	capacity []int64  // per key
	partners []Company
}

func newBasketProblem(items []ItemOptions) *basketProblem {
	p := &basketProblem{items: items}
	keys := map[[2]string]int{}
	parts := map[kernel.ID]int{}
	// partners and keys numbered in ID order, so ties break the same way whatever the input order
	type ref struct{ company, sku string }
	var refs []ref
	companies := map[kernel.ID]Company{}
	for _, io := range items {
		for _, o := range io.Offers {
			if o.usable() {
				refs = append(refs, ref{o.Company.ID, o.Item.SKU})
				companies[o.Company.ID] = o.Company
			}
		}
	}
	slices.SortFunc(refs, func(a, b ref) int {
		if c := strings.Compare(a.company, b.company); c != 0 {
			return c
		}
		return strings.Compare(a.sku, b.sku)
	})
	unlimited := int64(len(items) + 1)
	for _, r := range refs {
		if _, ok := parts[r.company]; !ok {
			parts[r.company] = len(p.partners)
			p.partners = append(p.partners, companies[r.company])
		}
		if _, ok := keys[[2]string{r.company, r.sku}]; !ok {
			keys[[2]string{r.company, r.sku}] = len(p.capacity)
			p.capacity = append(p.capacity, unlimited)
		}
	}
	for i, io := range items {
		var cs []cand
		for j, o := range io.Offers {
			if !o.usable() {
				continue
			}
			k := keys[[2]string{o.Company.ID, o.Item.SKU}]
			if o.Item.Stock != nil && *o.Item.Stock < p.capacity[k] {
				p.capacity[k] = *o.Item.Stock
			}
			c := cand{offer: j, key: k, partner: parts[o.Company.ID], price: o.Item.Price.Amount, delivery: !o.Pickup}
			if c.delivery {
				c.fee = o.Delivery.Fee.Amount
			}
			cs = append(cs, c)
		}
		if len(cs) == 0 {
			continue
		}
		slices.SortFunc(cs, func(a, b cand) int {
			if x, y := a.price+a.fee, b.price+b.fee; x != y {
				if x < y {
					return -1
				}
				return 1
			}
			if a.partner != b.partner {
				return a.partner - b.partner
			}
			return a.key - b.key
		})
		p.order = append(p.order, i)
		p.cands = append(p.cands, cs)
	}
	// most constrained items first, then by plan item ID
	idx := make([]int, len(p.order))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if la, lb := len(p.cands[a]), len(p.cands[b]); la != lb {
			return la - lb
		}
		return strings.Compare(items[p.order[a]].Item.ID, items[p.order[b]].Item.ID)
	})
	order, cands := make([]int, len(idx)), make([][]cand, len(idx))
	for n, i := range idx {
		order[n], cands[n] = p.order[i], p.cands[i]
	}
	p.order, p.cands = order, cands
	return p
}

// assignment: per search item the chosen cand (-1: none), and units used per key.
type assignment struct {
	choice []int
	used   []int64
}

func (p *basketProblem) newAssignment() *assignment {
	a := &assignment{choice: make([]int, len(p.order)), used: make([]int64, len(p.capacity))}
	for i := range a.choice {
		a.choice[i] = -1
	}
	return a
}

func (a *assignment) covered() int {
	n := 0
	for _, c := range a.choice {
		if c >= 0 {
			n++
		}
	}
	return n
}

func (p *basketProblem) set(a *assignment, i, c int) {
	if old := a.choice[i]; old >= 0 {
		a.used[p.cands[i][old].key]--
	}
	a.choice[i] = c
	if c >= 0 {
		a.used[p.cands[i][c].key]++
	}
}

// augment covers as many items as the stock allows (Kuhn's augmenting paths,
// with each catalogue item's stock as its capacity), keeping what is assigned
// where it can.
func (p *basketProblem) augment(a *assignment) {
	for i := range p.order {
		if a.choice[i] < 0 {
			p.try(a, i, make([]bool, len(p.capacity)))
		}
	}
}

func (p *basketProblem) try(a *assignment, i int, seen []bool) bool {
	for c, cd := range p.cands[i] {
		if !seen[cd.key] && a.used[cd.key] < p.capacity[cd.key] {
			seen[cd.key] = true
			p.set(a, i, c)
			return true
		}
	}
	for c, cd := range p.cands[i] {
		if seen[cd.key] {
			continue
		}
		seen[cd.key] = true
		for j := range p.order {
			if j != i && a.choice[j] >= 0 && p.cands[j][a.choice[j]].key == cd.key && p.try(a, j, seen) {
				p.set(a, i, c)
				return true
			}
		}
	}
	return false
}

// greedyCheapest gives each item, most constrained first, the offer in stock
// that adds least to the cost.
func (p *basketProblem) greedyCheapest(a *assignment) {
	fee := make([]int64, len(p.partners))
	for i, cs := range p.cands {
		best, bestAdd := -1, int64(0)
		for c, cd := range cs {
			if a.used[cd.key] >= p.capacity[cd.key] {
				continue
			}
			add := cd.price + max(0, cd.fee-fee[cd.partner])
			if best < 0 || add < bestAdd {
				best, bestAdd = c, add
			}
		}
		if best >= 0 {
			p.set(a, i, best)
			cd := cs[best]
			fee[cd.partner] = max(fee[cd.partner], cd.fee)
		}
	}
}

// greedyFewest takes partners one at a time, the one covering most of the
// items still open (then the one adding least, then the lower ID), and gives
// those items its cheapest offers in stock.
func (p *basketProblem) greedyFewest(a *assignment) {
	for {
		bestP, bestN, bestCost := -1, 0, int64(0)
		for q := range p.partners {
			n, cost := 0, int64(0)
			var fee int64
			for i, cs := range p.cands {
				if a.choice[i] >= 0 {
					continue
				}
				for _, cd := range cs {
					if cd.partner == q && a.used[cd.key] < p.capacity[cd.key] {
						n++
						cost += cd.price
						fee = max(fee, cd.fee)
						break
					}
				}
			}
			cost += fee
			if n > bestN || (n == bestN && n > 0 && cost < bestCost) {
				bestP, bestN, bestCost = q, n, cost
			}
		}
		if bestP < 0 {
			return
		}
		placed := false
		for i, cs := range p.cands {
			if a.choice[i] >= 0 {
				continue
			}
			for c, cd := range cs {
				if cd.partner == bestP && a.used[cd.key] < p.capacity[cd.key] {
					p.set(a, i, c)
					placed = true
					break
				}
			}
		}
		if !placed {
			return
		}
	}
}

// outcome is what the criteria compare.
type outcome struct {
	covered, partners int
	cost              int64
}

func (o outcome) betterCheapest(than outcome) bool {
	if o.covered != than.covered {
		return o.covered > than.covered
	}
	return o.cost < than.cost
}

func (o outcome) betterFewest(than outcome) bool {
	if o.covered != than.covered {
		return o.covered > than.covered
	}
	if o.partners != than.partners {
		return o.partners < than.partners
	}
	return o.cost < than.cost
}

func (p *basketProblem) cost(a *assignment) outcome {
	fee := make([]int64, len(p.partners))
	usedP := make([]bool, len(p.partners))
	var out outcome
	for i, c := range a.choice {
		if c < 0 {
			continue
		}
		cd := p.cands[i][c]
		out.covered++
		out.cost += cd.price
		usedP[cd.partner] = true
		fee[cd.partner] = max(fee[cd.partner], cd.fee)
	}
	for q, u := range usedP {
		if u {
			out.partners++
			out.cost += fee[q]
		}
	}
	return out
}

// search is the branch and bound: it returns the best assignment covering
// maxCover items (seed, when nothing better is found) and whether it finished.
func (p *basketProblem) search(seed *assignment, maxCover int, fewest bool) (*assignment, bool) {
	n := len(p.order)
	minPrice := make([]int64, n)
	for i, cs := range p.cands {
		minPrice[i] = cs[0].price
		for _, cd := range cs {
			minPrice[i] = min(minPrice[i], cd.price)
		}
	}
	sufSum, sufMax := make([]int64, n+1), make([]int64, n+1)
	for i := n - 1; i >= 0; i-- {
		sufSum[i] = sufSum[i+1] + minPrice[i]
		sufMax[i] = max(sufMax[i+1], minPrice[i])
	}
	s := &searcher{p: p, fewest: fewest, maxCover: maxCover, sufSum: sufSum, sufMax: sufMax,
		cur: p.newAssignment(), fee: make([]int64, len(p.partners)), lines: make([]int, len(p.partners)),
		best: slices.Clone(seed.choice), bestOut: p.cost(seed)}
	s.dfs(0)
	best := p.newAssignment()
	for i, c := range s.best {
		p.set(best, i, c)
	}
	return best, !s.aborted
}

type searcher struct {
	p              *basketProblem
	fewest         bool
	maxCover       int
	sufSum, sufMax []int64
	cur            *assignment
	fee            []int64 // per partner, the largest fee of its delivery lines so far
	lines          []int   // per partner, lines so far
	covered        int
	partners       int
	cost           int64
	best           []int
	bestOut        outcome
	nodes          int
	aborted        bool
}

func (s *searcher) dfs(i int) {
	if s.aborted {
		return
	}
	if s.nodes >= BasketSearchNodes {
		s.aborted = true
		return
	}
	s.nodes++
	n := len(s.p.order)
	slack := s.covered + (n - i) - s.maxCover
	if slack < 0 {
		return
	}
	lb := max(0, s.sufSum[i]-int64(slack)*s.sufMax[i])
	if s.fewest {
		if s.partners > s.bestOut.partners || (s.partners == s.bestOut.partners && s.cost+lb >= s.bestOut.cost) {
			return
		}
	} else if s.cost+lb >= s.bestOut.cost {
		return
	}
	if i == n {
		s.best = slices.Clone(s.cur.choice)
		s.bestOut = outcome{covered: s.covered, partners: s.partners, cost: s.cost}
		return
	}
	passes := 1
	if s.fewest {
		passes = 2 // offers of partners already in the basket first
	}
	for pass := 0; pass < passes; pass++ {
		for c, cd := range s.p.cands[i] {
			if s.fewest && (pass == 0) != (s.lines[cd.partner] > 0) {
				continue
			}
			if s.cur.used[cd.key] >= s.p.capacity[cd.key] {
				continue
			}
			oldFee, oldCost := s.fee[cd.partner], s.cost
			s.p.set(s.cur, i, c)
			if s.lines[cd.partner] == 0 {
				s.partners++
			}
			s.lines[cd.partner]++
			s.fee[cd.partner] = max(oldFee, cd.fee)
			s.cost += cd.price + s.fee[cd.partner] - oldFee
			s.covered++
			s.dfs(i + 1)
			s.covered--
			s.cost = oldCost
			s.fee[cd.partner] = oldFee
			s.lines[cd.partner]--
			if s.lines[cd.partner] == 0 {
				s.partners--
			}
			s.p.set(s.cur, i, -1)
			if s.aborted {
				return
			}
		}
	}
	if slack > 0 {
		s.dfs(i + 1)
	}
}

// basket turns an assignment into the answer's shape.
func (p *basketProblem) basket(a *assignment, exact bool) Basket {
	chosen := map[int]cand{} // index into items -> cand
	for i, c := range a.choice {
		if c >= 0 {
			chosen[p.order[i]] = p.cands[i][c]
		}
	}
	fee := make([]int64, len(p.partners))
	deliv := make([]bool, len(p.partners))
	usedP := make([]bool, len(p.partners))
	for _, cd := range chosen {
		usedP[cd.partner] = true
		if cd.delivery {
			deliv[cd.partner] = true
			fee[cd.partner] = max(fee[cd.partner], cd.fee)
		}
	}
	b := Basket{Lines: []BasketLine{}, Partners: []BasketPartner{}, Uncovered: []kernel.ID{}, Exact: exact}
	var sub, fees int64
	for i, io := range p.items {
		cd, ok := chosen[i]
		if !ok {
			b.Uncovered = append(b.Uncovered, io.Item.ID)
			continue
		}
		o := io.Offers[cd.offer]
		method := MethodPickup
		if cd.delivery || (deliv[cd.partner] && o.Delivery != nil && o.Delivery.Available) {
			method = MethodDelivery
		}
		b.Lines = append(b.Lines, BasketLine{PlanItemID: io.Item.ID, CompanyID: o.Company.ID, SKU: o.Item.SKU, Name: o.Item.Name,
			Quantity: 1, UnitPrice: kernel.BRL(o.Item.Price.Amount), Method: method})
		sub += o.Item.Price.Amount
	}
	for q, u := range usedP {
		if !u {
			continue
		}
		bp := BasketPartner{CompanyID: p.partners[q].ID, Name: p.partners[q].Name, Method: MethodPickup, Fee: kernel.BRL(0)}
		if deliv[q] {
			bp.Method, bp.Fee = MethodDelivery, kernel.BRL(fee[q])
			fees += fee[q]
		}
		b.Partners = append(b.Partners, bp)
	}
	b.Subtotal, b.Fees, b.Total = kernel.BRL(sub), kernel.BRL(fees), kernel.BRL(sub+fees)
	return b
}
