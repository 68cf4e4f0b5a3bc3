package conformance

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
)

// CommerceOrdersFixture is what RunCommerceOrdersStore needs from a store's test.
type CommerceOrdersFixture struct {
	Store commerce.OrderStore
	// PutItem writes a catalogue item of company with a price in centavos and a
	// stock (nil: unlimited), as the catalogue would.
	PutItem func(t *testing.T, companyID kernel.ID, sku string, price int64, stock *int64)
	// Stock reads an item's stock (nil: unlimited).
	Stock func(t *testing.T, companyID kernel.ID, sku string) *int64
}

var ordT0 = time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)

func ordUnits(n int64) *int64 { return &n }

func ordNew(company kernel.ID, lines ...commerce.OrderLine) commerce.Order {
	o := commerce.Order{ID: kernel.NewID(), PatientID: kernel.NewID(), CompanyID: company, Status: commerce.OrderCreated,
		Fulfilment: commerce.OrderFulfilment{Method: commerce.MethodPickup, Fee: kernel.BRL(0)}, PayBy: ordT0.Add(30 * time.Minute),
		CreatedAt: ordT0, UpdatedAt: ordT0, Version: 1,
		Timeline: []commerce.TimelineEntry{{Status: commerce.OrderCreated, At: ordT0, By: kernel.KindPatient}}}
	o.Subtotal = kernel.BRL(0)
	for _, l := range lines {
		l.Total = kernel.BRL(l.UnitPrice.Amount * l.Quantity)
		o.Lines = append(o.Lines, l)
		o.Subtotal.Amount += l.Total.Amount
	}
	o.Total = o.Subtotal
	return o
}

func ordLine(sku string, qty, price int64) commerce.OrderLine {
	return commerce.OrderLine{SKU: sku, Name: "Item " + sku, Kind: commerce.KindProduct, Quantity: qty, UnitPrice: kernel.BRL(price)}
}

func ordStockIs(t *testing.T, f CommerceOrdersFixture, company kernel.ID, sku string, want *int64) {
	t.Helper()
	got := f.Stock(t, company, sku)
	if (got == nil) != (want == nil) || (got != nil && *got != *want) {
		t.Errorf("stock of %s: got %v, want %v", sku, ordShow(got), ordShow(want))
	}
}

func ordShow(p *int64) string {
	if p == nil {
		return "unlimited"
	}
	return fmt.Sprint(*p)
}

func ordConflictNaming(t *testing.T, what string, err error, sku string) {
	t.Helper()
	wantKind(t, what, err, kernel.KindConflict)
	if err != nil && !strings.Contains(err.Error(), sku) {
		t.Errorf("%s: the conflict does not name the SKU %s: %v", what, sku, err)
	}
}

// RunCommerceOrdersStore runs the commerce.OrderStore contract: orders round
// trip, stock is reserved atomically with the order (all lines or none, price
// re-checked), returned once on cancellation, lists page newest first, and 50
// concurrent orders for the last 10 units give exactly 10 orders.
func RunCommerceOrdersStore(t *testing.T, newFixture func(t *testing.T) CommerceOrdersFixture) {
	report(t, "CommerceOrdersStore")
	ctx := context.Background()

	t.Run("RoundTripAndReserve", func(t *testing.T) {
		f := newFixture(t)
		co := kernel.NewID()
		f.PutItem(t, co, "A-1", 1250, ordUnits(10))
		f.PutItem(t, co, "B-2", 990, nil)
		o := ordNew(co, ordLine("A-1", 3, 1250), ordLine("B-2", 2, 990))
		o.Lines[0].RequiresPrescription, o.Lines[0].Kind = true, commerce.KindMedication
		o.PlanID, o.PrescriptionID, o.PrescriptionCode = kernel.NewID(), kernel.NewID(), "ABCD-EFGH-JKLM"
		o.Fulfilment = commerce.OrderFulfilment{Method: commerce.MethodDelivery, Fee: kernel.BRL(700), Recipient: "Maria",
			Address: &commerce.DeliveryAddress{CEP: "01310-100", Street: "Avenida Paulista", Number: "1000", Complement: "ap 12",
				District: "Bela Vista", City: "São Paulo", UF: "SP", Lat: -23.56, Lng: -46.65}}
		o.Total.Amount += 700
		ev := kernel.NewEvent("conf.order.created", o.ID, map[string]string{"order_id": o.ID}, ordT0)
		noErr(t, "CreateOrder", f.Store.CreateOrder(ctx, o, []kernel.Event{ev}))
		got, err := f.Store.GetOrder(ctx, o.ID)
		noErr(t, "GetOrder", err)
		if !reflect.DeepEqual(got, o) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, o)
		}
		ordStockIs(t, f, co, "A-1", ordUnits(7))
		ordStockIs(t, f, co, "B-2", nil)
		_, err = f.Store.GetOrder(ctx, kernel.NewID())
		wantKind(t, "GetOrder of an unknown order", err, kernel.KindNotFound)
		_, err = f.Store.UpdateOrder(ctx, kernel.NewID(), func(*commerce.Order) ([]kernel.Event, error) { return nil, nil })
		wantKind(t, "UpdateOrder of an unknown order", err, kernel.KindNotFound)
		dup := o
		wantKind(t, "CreateOrder of an existing ID", f.Store.CreateOrder(ctx, dup, nil), kernel.KindConflict)
		ordStockIs(t, f, co, "A-1", ordUnits(7))
	})

	t.Run("AllLinesOrNone", func(t *testing.T) {
		f := newFixture(t)
		co := kernel.NewID()
		f.PutItem(t, co, "A", 1000, ordUnits(5))
		f.PutItem(t, co, "Z", 500, ordUnits(2))
		o := ordNew(co, ordLine("A", 4, 1000), ordLine("Z", 3, 500)) // A fits, Z does not
		ordConflictNaming(t, "short stock", f.Store.CreateOrder(ctx, o, nil), "Z")
		_, err := f.Store.GetOrder(ctx, o.ID)
		wantKind(t, "the refused order", err, kernel.KindNotFound)
		ordStockIs(t, f, co, "A", ordUnits(5))
		ordStockIs(t, f, co, "Z", ordUnits(2))

		repriced := ordNew(co, ordLine("A", 1, 1000), ordLine("Z", 1, 450))
		ordConflictNaming(t, "a price changed since it was read", f.Store.CreateOrder(ctx, repriced, nil), "Z")
		ordStockIs(t, f, co, "A", ordUnits(5))
		missing := ordNew(co, ordLine("A", 1, 1000), ordLine("GONE", 1, 100))
		ordConflictNaming(t, "an item no longer listed", f.Store.CreateOrder(ctx, missing, nil), "GONE")
		other := ordNew(kernel.NewID(), ordLine("A", 1, 1000)) // same SKU, another company: not this stock
		ordConflictNaming(t, "another company's SKU", f.Store.CreateOrder(ctx, other, nil), "A")
		ordStockIs(t, f, co, "A", ordUnits(5))

		exact := ordNew(co, ordLine("Z", 2, 500))
		noErr(t, "the last units", f.Store.CreateOrder(ctx, exact, nil))
		ordStockIs(t, f, co, "Z", ordUnits(0))
	})

	t.Run("UpdateAndRelease", func(t *testing.T) {
		f := newFixture(t)
		co := kernel.NewID()
		f.PutItem(t, co, "S", 100, ordUnits(10))
		f.PutItem(t, co, "U", 100, nil)
		move := func(id kernel.ID, to commerce.OrderStatus) (commerce.Order, error) {
			return f.Store.UpdateOrder(ctx, id, func(o *commerce.Order) ([]kernel.Event, error) {
				if err := o.Move(to, ordT0.Add(time.Minute), kernel.KindCompanyMember, ""); err != nil {
					return nil, err
				}
				return []kernel.Event{kernel.NewEvent("conf.order.moved", o.ID, map[string]string{"to": string(to)}, ordT0)}, nil
			})
		}
		a := ordNew(co, ordLine("S", 4, 100), ordLine("U", 1, 100))
		noErr(t, "create", f.Store.CreateOrder(ctx, a, nil))
		ordStockIs(t, f, co, "S", ordUnits(6))
		_, err := f.Store.UpdateOrder(ctx, a.ID, func(o *commerce.Order) ([]kernel.Event, error) {
			o.Status = commerce.OrderCancelled
			return nil, kernel.Conflict("no")
		})
		wantKind(t, "fn's error", err, kernel.KindConflict)
		ordStockIs(t, f, co, "S", ordUnits(6))
		paid, err := move(a.ID, commerce.OrderPaid)
		noErr(t, "pay", err)
		if paid.Version != 2 || paid.Status != commerce.OrderPaid || len(paid.Timeline) != 2 {
			t.Errorf("after pay: version %d, status %s, %d steps", paid.Version, paid.Status, len(paid.Timeline))
		}
		ordStockIs(t, f, co, "S", ordUnits(6))
		got, _ := f.Store.GetOrder(ctx, a.ID)
		if got.Status != commerce.OrderPaid || got.Version != 2 {
			t.Errorf("stored after pay: %s v%d", got.Status, got.Version)
		}
		_, err = move(a.ID, commerce.OrderCancelled)
		noErr(t, "cancel a paid order", err)
		ordStockIs(t, f, co, "S", ordUnits(10))
		ordStockIs(t, f, co, "U", nil)
		_, err = move(a.ID, commerce.OrderCancelled)
		wantKind(t, "cancel twice", err, kernel.KindConflict)
		_, err = move(a.ID, commerce.OrderRefunded)
		noErr(t, "refund the cancelled order", err)
		ordStockIs(t, f, co, "S", ordUnits(10)) // returned once

		// delivered orders keep their units sold
		b := ordNew(co, ordLine("S", 2, 100))
		noErr(t, "create b", f.Store.CreateOrder(ctx, b, nil))
		for _, to := range []commerce.OrderStatus{commerce.OrderPaid, commerce.OrderAccepted, commerce.OrderPreparing, commerce.OrderReadyForPickup, commerce.OrderDelivered, commerce.OrderRefunded} {
			_, err := move(b.ID, to)
			noErr(t, "move b to "+string(to), err)
		}
		ordStockIs(t, f, co, "S", ordUnits(8))
	})

	t.Run("ConcurrentCancelsReleaseOnce", func(t *testing.T) {
		f := newFixture(t)
		co := kernel.NewID()
		f.PutItem(t, co, "S", 100, ordUnits(5))
		o := ordNew(co, ordLine("S", 5, 100))
		noErr(t, "create", f.Store.CreateOrder(ctx, o, nil))
		var wg sync.WaitGroup
		var mu sync.Mutex
		won, refused := 0, 0
		gate := make(chan struct{})
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				_, err := f.Store.UpdateOrder(ctx, o.ID, func(o *commerce.Order) ([]kernel.Event, error) {
					return nil, o.Move(commerce.OrderCancelled, ordT0, kernel.KindPatient, "")
				})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					won++
				} else if k := kernel.KindOf(err); k == kernel.KindConflict {
					refused++
				} else {
					t.Errorf("concurrent cancel: %v", err)
				}
			}()
		}
		close(gate)
		wg.Wait()
		if won != 1 || refused != 19 {
			t.Errorf("20 concurrent cancels: %d moved, %d refused; want 1 and 19", won, refused)
		}
		ordStockIs(t, f, co, "S", ordUnits(5))
	})

	t.Run("ListNewestFirstPaged", func(t *testing.T) {
		f := newFixture(t)
		co, other := kernel.NewID(), kernel.NewID()
		f.PutItem(t, co, "L", 100, nil)
		f.PutItem(t, other, "L", 100, nil)
		patient := kernel.NewID()
		for i := 0; i < 7; i++ {
			o := ordNew(co, ordLine("L", 1, 100))
			o.PatientID = patient
			o.CreatedAt = ordT0.Add(time.Duration(i) * time.Minute)
			if i == 5 {
				o.CreatedAt = ordT0.Add(4 * time.Minute) // a tie on created_at
			}
			if i%2 == 0 {
				o.Status = commerce.OrderPaid
			}
			noErr(t, "create", f.Store.CreateOrder(ctx, o, nil))
		}
		noErr(t, "another company's order", f.Store.CreateOrder(ctx, ordNew(other, ordLine("L", 1, 100)), nil))
		var seen []commerce.Order
		cursor := ""
		for pages := 0; pages < 10; pages++ {
			l, err := f.Store.ListOrders(ctx, commerce.OrderFilter{CompanyID: co}, kernel.Page{Limit: 3, Cursor: cursor})
			noErr(t, "list", err)
			if len(l.Items) > 3 {
				t.Fatalf("page of %d items, limit 3", len(l.Items))
			}
			seen = append(seen, l.Items...)
			if cursor = l.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != 7 {
			t.Fatalf("paged through %d orders, want 7", len(seen))
		}
		ids1 := map[kernel.ID]bool{}
		for i, o := range seen {
			if o.CompanyID != co || ids1[o.ID] {
				t.Errorf("item %d: company %s, repeated %v", i, o.CompanyID, ids1[o.ID])
			}
			ids1[o.ID] = true
			if i > 0 && (o.CreatedAt.After(seen[i-1].CreatedAt) || o.CreatedAt.Equal(seen[i-1].CreatedAt) && o.ID > seen[i-1].ID) {
				t.Errorf("not newest first at %d", i)
			}
		}
		l, err := f.Store.ListOrders(ctx, commerce.OrderFilter{CompanyID: co, Status: commerce.OrderPaid}, kernel.Page{Limit: 100})
		noErr(t, "list paid", err)
		if len(l.Items) != 4 {
			t.Errorf("paid orders: %d, want 4", len(l.Items))
		}
		for _, o := range l.Items {
			if o.Status != commerce.OrderPaid {
				t.Errorf("status filter let %s through", o.Status)
			}
		}
		l, err = f.Store.ListOrders(ctx, commerce.OrderFilter{PatientID: patient}, kernel.Page{Limit: 100})
		noErr(t, "list by patient", err)
		if len(l.Items) != 7 || l.NextCursor != "" {
			t.Errorf("patient's orders: %d (next %q), want 7", len(l.Items), l.NextCursor)
		}
		_, err = f.Store.ListOrders(ctx, commerce.OrderFilter{CompanyID: co}, kernel.Page{Limit: 3, Cursor: "bm90LWEtY3Vyc29y"})
		wantKind(t, "a forged cursor", err, kernel.KindInvalid)
	})

	t.Run("FiftyBuyersTenUnits", func(t *testing.T) {
		f := newFixture(t)
		co := kernel.NewID()
		f.PutItem(t, co, "LAST", 4590, ordUnits(10))
		f.PutItem(t, co, "FREE", 100, nil)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var won []commerce.Order
		conflicts := 0
		gate := make(chan struct{})
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				o := ordNew(co, ordLine("FREE", 1, 100), ordLine("LAST", 1, 4590))
				<-gate
				err := f.Store.CreateOrder(ctx, o, []kernel.Event{kernel.NewEvent("conf.order.created", o.ID, map[string]string{"order_id": o.ID}, ordT0)})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won = append(won, o)
				case kernel.KindOf(err) == kernel.KindConflict:
					conflicts++
					if !strings.Contains(err.Error(), "LAST") {
						t.Errorf("conflict does not name the SKU: %v", err)
					}
				default:
					t.Errorf("buyer %d: %v", i, err)
				}
			}(i)
		}
		close(gate)
		wg.Wait()
		if len(won) != 10 || conflicts != 40 {
			t.Fatalf("50 buyers for 10 units: %d orders, %d conflicts; want 10 and 40", len(won), conflicts)
		}
		ordStockIs(t, f, co, "LAST", ordUnits(0))
		var sold int64
		l, err := f.Store.ListOrders(ctx, commerce.OrderFilter{CompanyID: co}, kernel.Page{Limit: 100})
		noErr(t, "list", err)
		if len(l.Items) != 10 {
			t.Errorf("stored orders: %d, want 10", len(l.Items))
		}
		winners := map[kernel.ID]bool{}
		for _, o := range won {
			winners[o.ID] = true
		}
		for _, o := range l.Items {
			if !winners[o.ID] {
				t.Errorf("stored order %s was refused to its buyer", o.ID)
			}
			for _, ln := range o.Lines {
				if ln.SKU == "LAST" {
					sold += ln.Quantity
				}
			}
		}
		if sold != 10 {
			t.Errorf("units sold in stored orders: %d, want 10", sold)
		}
	})
}
