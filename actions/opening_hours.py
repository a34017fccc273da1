"""The clinic's opening hours (clinic.yml `opening_hours`, in its `time_zone`): whether the front desk
is in now, and when it next opens. No Rasa imports.

The format is a comma-separated list of `<days> <HH:MM>-<HH:MM>`, days a name (`Sat`) or a range
(`Mon-Fri`): "Mon-Fri 08:00-18:00, Sat 09:00-13:00". `24:00` closes at midnight; `closed` (or
nothing) means the front desk never answers the chat.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytz

CLOSED = "closed"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SPAN = re.compile(r"^(\w{3})(?:-(\w{3}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True, order=True)
class Opening:
    """One weekday's opening: the day (0 is Monday) and the minutes after midnight it opens and closes."""

    day: int
    opens: int
    closes: int


def parse_hours(text: str) -> tuple[Opening, ...]:
    """The openings `text` lists; ValueError for a span that cannot be read."""
    openings = []
    if (text or "").strip().lower() == CLOSED:
        return ()
    for span in filter(None, (part.strip() for part in (text or "").split(","))):
        match = SPAN.match(span)
        if not match or match.group(1).lower() not in DAYS:
            raise ValueError(f"opening hours: cannot read {span!r} (say e.g. 'Mon-Fri 08:00-18:00')")
        first = DAYS.index(match.group(1).lower())
        last = DAYS.index((match.group(2) or match.group(1)).lower())
        opens = int(match.group(3)) * 60 + int(match.group(4))
        closes = int(match.group(5)) * 60 + int(match.group(6))
        if not 0 <= opens < closes <= 24 * 60:
            raise ValueError(f"opening hours: {span!r} closes before it opens")
        days = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
        openings += [Opening(day, opens, closes) for day in days]
    return tuple(openings)


@dataclass(frozen=True)
class OpeningHours:
    """The front desk's hours in the clinic's time zone."""

    time_zone: str
    openings: tuple[Opening, ...]

    @classmethod
    def read(cls, time_zone: str, hours: str) -> "OpeningHours":
        """From clinic.yml's strings; ValueError for an unknown time zone or unreadable hours."""
        try:
            pytz.timezone(time_zone)
        except pytz.UnknownTimeZoneError as error:
            raise ValueError(f"unknown time zone {time_zone!r}") from error
        return cls(time_zone, parse_hours(hours))

    def local(self, now: datetime) -> datetime:
        """`now` (aware) in the clinic's time zone."""
        return now.astimezone(pytz.timezone(self.time_zone))

    def is_open(self, now: datetime) -> bool:
        """Whether the front desk is in at `now`."""
        local = self.local(now)
        minute = local.hour * 60 + local.minute
        return any(o.day == local.weekday() and o.opens <= minute < o.closes for o in self.openings)

    def next_opening(self, now: datetime) -> datetime | None:
        """The next time the front desk opens after `now`, in the clinic's time; None when never."""
        local = self.local(now)
        zone = pytz.timezone(self.time_zone)
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            for opening in sorted(o for o in self.openings if o.day == day.weekday()):
                start = zone.localize(datetime.combine(day, time()) + timedelta(minutes=opening.opens))
                if start > local:
                    return start
        return None


DAY_NAMES = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("el lunes", "el martes", "el miércoles", "el jueves", "el viernes", "el sábado", "el domingo"),
}
NEAR_DAYS = {"en": ("today", "tomorrow"), "es": ("hoy", "mañana")}
AT = {"en": "{day} at {clock}", "es": "{day} a las {clock}"}


def describe(moment: datetime, now: datetime, language: str = "en") -> str:
    """'today at 8:00 AM', 'tomorrow at 8:00 AM', 'Monday at 8:00 AM' (or in Spanish, `es`), in the
    clinic's time."""
    clock = moment.strftime("%I:%M %p").lstrip("0") if language == "en" else moment.strftime("%H:%M")
    days = (moment.date() - now.astimezone(moment.tzinfo).date()).days
    day = NEAR_DAYS[language][days] if days in (0, 1) else DAY_NAMES[language][moment.weekday()]
    return AT[language].format(day=day, clock=clock)
