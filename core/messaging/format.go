package messaging

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultTimeZone is the zone a time is shown in when the appointment's
// availability names none.
const DefaultTimeZone = "America/Sao_Paulo"

var weekdays = [...]string{"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"}

var (
	zoneMu sync.Mutex
	zones  = map[string]*time.Location{}
)

// Zone loads the named IANA zone, falling back to DefaultTimeZone (and, if the
// system has no zone data at all, to a fixed UTC-3, Brasília's offset since 2019).
func Zone(name string) *time.Location {
	if name == "" {
		name = DefaultTimeZone
	}
	zoneMu.Lock()
	loc, ok := zones[name]
	zoneMu.Unlock()
	if ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	switch {
	case err != nil && name != DefaultTimeZone:
		return Zone(DefaultTimeZone)
	case err != nil:
		loc = time.FixedZone("BRT", -3*60*60)
	}
	zoneMu.Lock()
	zones[name] = loc
	zoneMu.Unlock()
	return loc
}

// DateTime writes t in loc as "04/12/2026 às 08:30"; a nil loc is DefaultTimeZone.
func DateTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = Zone("")
	}
	return t.In(loc).Format("02/01/2006") + " às " + t.In(loc).Format("15:04")
}

// LongDateTime writes t in loc with the weekday: "sexta-feira, 04/12/2026 às 08:30".
func LongDateTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = Zone("")
	}
	return weekdays[t.In(loc).Weekday()] + ", " + DateTime(t, loc)
}

// Duration writes d as a person says it: "1 hora", "30 minutos", "1 hora e 30 minutos", "2 dias".
func Duration(d time.Duration) string {
	if d <= 0 {
		return "alguns instantes"
	}
	if d%(24*time.Hour) == 0 {
		return plural(int(d/(24*time.Hour)), "dia", "dias")
	}
	h, m := int(d/time.Hour), int((d%time.Hour)/time.Minute)
	switch {
	case h > 0 && m > 0:
		return plural(h, "hora", "horas") + " e " + plural(m, "minuto", "minutos")
	case h > 0:
		return plural(h, "hora", "horas")
	case m > 0:
		return plural(m, "minuto", "minutos")
	}
	return "menos de um minuto"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Money shows an amount of centavos as people in Brazil write it: "R$ 1.234,56".
// Other currencies are shown with their code ("USD 12,00").
func Money(centavos int64, currency string) string {
	sign := ""
	if centavos < 0 {
		sign, centavos = "-", -centavos
	}
	units := strconv.FormatInt(centavos/100, 10)
	var b strings.Builder
	for i, c := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	prefix := currency + " "
	if currency == "BRL" || currency == "" {
		prefix = "R$ "
	}
	return fmt.Sprintf("%s%s%s,%02d", sign, prefix, b.String(), centavos%100)
}
