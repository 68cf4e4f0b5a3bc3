package scheduling

import "time"

// The closed sets scheduling validates against, listed for the API's description.

// WeekdayNames lists the weekday names ParseWeekday reads, Sunday first.
func WeekdayNames() []string {
	out := make([]string, 0, 7)
	for d := time.Sunday; d <= time.Saturday; d++ {
		if _, ok := weekdayNames[WeekdayName(d)]; ok {
			out = append(out, WeekdayName(d))
		}
	}
	return out
}

// Modes lists how an appointment happens.
func Modes() []string { return []string{string(InPerson), string(Telemedicine)} }

// Statuses lists an appointment's statuses.
func Statuses() []string {
	return []string{string(StatusConfirmed), string(StatusCancelled), string(StatusCompleted), string(StatusNoShow)}
}

// Kinds lists what an appointment is for.
func Kinds() []string { return []string{string(KindConsultation), string(KindExam)} }

// WaitStatuses lists a waitlist entry's statuses.
func WaitStatuses() []string {
	return []string{string(WaitWaiting), string(WaitOffered), string(WaitFulfilled), string(WaitExpired), string(WaitLeft)}
}
