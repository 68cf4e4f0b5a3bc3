package kernel

import "fmt"

// Money is an amount in the currency's minor unit (centavos for BRL). Never a float.
type Money struct {
	Amount   int64
	Currency string
}

// CurrencyPattern is what Validate accepts as a currency: three upper-case
// letters (an ISO 4217 code), for the API's description.
const CurrencyPattern = `^[A-Z]{3}$`

// BRL builds an amount in reais, given in centavos.
func BRL(centavos int64) Money { return Money{Amount: centavos, Currency: "BRL"} }

// Validate checks a money value given at field.
func (m Money) Validate(field string, p *Problems) {
	if m.Amount < 0 {
		p.Add(field+".amount", "não pode ser negativo")
	}
	if len(m.Currency) != 3 || m.Currency != upperASCII(m.Currency) {
		p.Add(field+".currency", "deve ser um código ISO 4217 de três letras, como BRL")
	}
}

// Add sums two amounts of the same currency.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, Unprocessable(fmt.Sprintf("não é possível somar %s a %s", o.Currency, m.Currency))
	}
	return Money{Amount: m.Amount + o.Amount, Currency: m.Currency}, nil
}

func (m Money) String() string {
	sign := ""
	a := m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	return fmt.Sprintf("%s%s %d.%02d", sign, m.Currency, a/100, a%100)
}

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
