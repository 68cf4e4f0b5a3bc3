package commerceapi

import (
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
)

func TestDecimalComma(t *testing.T) {
	for in, want := range map[int64]string{0: "0,00", 5: "0,05", 99: "0,99", 100: "1,00", 123456: "1234,56", -1000: "-10,00", -7: "-0,07"} {
		if got := decimalComma(in); got != want {
			t.Errorf("decimalComma(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestStatementCSV(t *testing.T) {
	at := time.Date(2026, 12, 1, 2, 30, 0, 0, time.UTC) // 23:30 of 30/11 in São Paulo
	st := commerce.Statement{Lines: []commerce.StatementEntry{
		{StatementLine: commerce.StatementLine{Kind: commerce.LinePayment, At: at, OrderID: "o1", PaymentID: "p1", Method: "pix", Amount: kernel.BRL(123456)},
			Fee: kernel.BRL(3086), Net: kernel.BRL(120370)},
		{StatementLine: commerce.StatementLine{Kind: commerce.LineRefund, At: at.Add(time.Hour), OrderID: "o1", PaymentID: "p1", RefundID: "r1", Amount: kernel.BRL(1000)},
			Fee: kernel.BRL(0), Net: kernel.BRL(-1000)},
	}}
	b, err := StatementCSV(st)
	if err != nil {
		t.Fatal(err)
	}
	want := "data;tipo;pedido;pagamento;reembolso;metodo;valor;tarifa;liquido\n" +
		"30/11/2026 23:30;pagamento;o1;p1;;pix;1234,56;30,86;1203,70\n" +
		"01/12/2026 00:30;reembolso;o1;p1;r1;;10,00;0,00;-10,00\n"
	if string(b) != want {
		t.Errorf("got\n%s\nwant\n%s", b, want)
	}
}
