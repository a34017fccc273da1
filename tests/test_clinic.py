"""Clinic details come from clinic.yml, and environment variables override them."""

from actions.clinic import clinic_from

SETTINGS = {
    "name": "Clinic A",
    "phone": "111",
    "website": "",
    "emergency_number": "911",
    "crisis_line": "988",
    "poison_control": "1-800-222-1222",
}


def test_defaults_come_from_the_settings_file():
    clinic = clinic_from(SETTINGS, {})
    assert clinic.contact == "Clinic A at 111"


def test_environment_overrides_and_website_is_added_to_the_contact():
    clinic = clinic_from(
        SETTINGS, {"CLINIC_PHONE": "222", "CLINIC_WEBSITE": "example.org", "EMERGENCY_NUMBER": "112"}
    )
    assert clinic.contact == "Clinic A at 222 or example.org"
    assert clinic.emergency_number == "112"


def test_a_clinic_outside_the_us_sets_every_emergency_number_by_environment():
    clinic = clinic_from(
        SETTINGS, {"EMERGENCY_NUMBER": "999", "CRISIS_LINE": "116 123", "POISON_CONTROL": "111"}
    )
    assert (clinic.numbers["emergency_number"], clinic.numbers["crisis_line"]) == ("999", "116 123")
    assert clinic.numbers["poison_control"] == "111" and clinic.numbers["clinic_phone"] == "111"
