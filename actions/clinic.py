"""The clinic's contact details: clinic.yml, overridden by environment variables."""

import os
from dataclasses import MISSING, dataclass, fields
from functools import cache
from pathlib import Path

import yaml

from actions.opening_hours import OpeningHours

CLINIC_FILE = Path(__file__).resolve().parent.parent / "clinic.yml"


@dataclass(frozen=True)
class Clinic:
    """Who to contact, and the emergency numbers to give."""

    name: str
    phone: str
    website: str
    emergency_number: str
    crisis_line: str
    poison_control: str
    time_zone: str = "America/Denver"
    opening_hours: str = ""
    handoff_wait_minutes: str = "5"

    @property
    def hours(self) -> OpeningHours:
        """When the front desk answers the chat; ValueError when clinic.yml's hours cannot be read."""
        return OpeningHours.read(self.time_zone, self.opening_hours)

    @property
    def handoff_wait_seconds(self) -> float:
        """How long a visitor waits for a person to take the chat before being offered a message."""
        return float(self.handoff_wait_minutes or 5) * 60

    @property
    def numbers(self) -> dict[str, str]:
        """The placeholders that domain responses fill with the clinic's details."""
        return {
            "clinic_contact": self.contact,
            "clinic_phone": self.phone,
            "emergency_number": self.emergency_number,
            "crisis_line": self.crisis_line,
            "poison_control": self.poison_control,
        }

    @property
    def contact(self) -> str:
        """'<name> at <phone>', plus ' or <website>' when one is configured."""
        contact = f"{self.name} at {self.phone}"
        return f"{contact} or {self.website}" if self.website else contact


ENVIRONMENT_VARIABLES = {
    "name": "CLINIC_NAME",
    "phone": "CLINIC_PHONE",
    "website": "CLINIC_WEBSITE",
    "emergency_number": "EMERGENCY_NUMBER",
    "crisis_line": "CRISIS_LINE",
    "poison_control": "POISON_CONTROL",
    "time_zone": "CLINIC_TIME_ZONE",
    "opening_hours": "CLINIC_OPENING_HOURS",
    "handoff_wait_minutes": "HANDOFF_WAIT_MINUTES",
}


def clinic_from(settings: dict, environ: dict) -> Clinic:
    """Settings from clinic.yml, each replaced by its environment variable when that is set (and
    the defaults of `Clinic` for settings left out)."""
    defaults = {field.name: field.default for field in fields(Clinic) if field.default is not MISSING}
    return Clinic(
        **{
            key: str(environ.get(variable) or settings.get(key) or defaults.get(key, ""))
            for key, variable in ENVIRONMENT_VARIABLES.items()
        }
    )


@cache
def load_clinic() -> Clinic:
    """The clinic configuration, read once per process."""
    return clinic_from(yaml.safe_load(CLINIC_FILE.read_text(encoding="utf-8")), dict(os.environ))
