package consent

import "time"

// Brasília's time is the reference for business days (ANPD counts in the
// controller's calendar; the platform uses the federal capital's).
const brasiliaZone = "America/Sao_Paulo"

func brasilia() *time.Location {
	if loc, err := time.LoadLocation(brasiliaZone); err == nil {
		return loc
	}
	return time.FixedZone("BRT", -3*60*60) // no DST since 2019
}

// easter returns Easter Sunday of year (Gregorian, the anonymous algorithm of
// Meeus/Jones/Butcher).
func easter(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// Holiday is a national holiday.
type Holiday struct {
	Date time.Time // midnight UTC of the calendar day
	Name string    // pt-BR
}

// NationalHolidays returns Brazil's national holidays of year:
//   - fixed by Lei 662/1949 (with Lei 10.607/2002): 1º de janeiro, 21 de abril,
//     1º de maio, 7 de setembro, 2 de novembro, 15 de novembro, 25 de dezembro;
//   - 12 de outubro (Lei 6.802/1980);
//   - 20 de novembro, Dia Nacional de Zumbi e da Consciência Negra (Lei 14.759/2023), from 2024;
//   - Sexta-feira Santa (Paixão de Cristo), two days before Easter: a religious
//     holiday kept nationally under Lei 9.093/1995 and observed by the federal
//     public administration every year.
//
// Carnaval and Corpus Christi are not included: they are pontos facultativos
// (optional days off) in federal law, not holidays, and ANPD's deadlines run on them.
func NationalHolidays(year int) []Holiday {
	d := func(m time.Month, day int) time.Time { return time.Date(year, m, day, 0, 0, 0, 0, time.UTC) }
	hs := []Holiday{
		{d(time.January, 1), "Confraternização Universal"},
		{easter(year).AddDate(0, 0, -2), "Sexta-feira Santa"},
		{d(time.April, 21), "Tiradentes"},
		{d(time.May, 1), "Dia do Trabalho"},
		{d(time.September, 7), "Independência do Brasil"},
		{d(time.October, 12), "Nossa Senhora Aparecida"},
		{d(time.November, 2), "Finados"},
		{d(time.November, 15), "Proclamação da República"},
	}
	if year >= 2024 {
		hs = append(hs, Holiday{d(time.November, 20), "Dia Nacional de Zumbi e da Consciência Negra"})
	}
	return append(hs, Holiday{d(time.December, 25), "Natal"})
}

// IsBusinessDay reports whether the calendar day y-m-d is a business day in
// Brazil: not a Saturday, a Sunday or a national holiday.
func IsBusinessDay(y int, m time.Month, day int) bool {
	t := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	for _, h := range NationalHolidays(y) {
		if h.Date.Equal(t) {
			return false
		}
	}
	return true
}

// BusinessDeadline returns the end (23:59:59 in Brasília) of the n-th business
// day after the day on which at falls in Brasília: the day of knowledge is
// excluded and the count starts on the next business day (the usual rule for
// periods counted in days, as in the CPC, art. 224).
func BusinessDeadline(at time.Time, n int) time.Time {
	loc := brasilia()
	local := at.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	for counted := 0; counted < n; {
		day = day.AddDate(0, 0, 1)
		if IsBusinessDay(day.Year(), day.Month(), day.Day()) {
			counted++
		}
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 23, 59, 59, 0, loc)
}
