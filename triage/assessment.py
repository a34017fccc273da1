"""What triage concludes about one message."""

from dataclasses import dataclass

# Tiers in the order their advice comes when a message has several ("I took all my pills and I
# want to die": poisoning first, then the crisis line).
TIERS = ("life_threatening", "poisoning_overdose", "suicide_self_harm", "urgent_after_treatment")


@dataclass(frozen=True)
class Assessment:
    """An emergency found in a message.

    tier: one of TIERS; category: the emergency category (heart_attack, suicidal, ...);
    sure: False when the message is plausibly an emergency but unsure (softer wording);
    also_crisis: the message also speaks of suicide or self-harm (the crisis line is added);
    language: 'en' or 'es', the language to answer in;
    evidence: the clause or sentence it was found in; found_by: 'pattern' or 'classifier'.
    """

    tier: str
    category: str
    sure: bool
    also_crisis: bool
    language: str
    evidence: str
    found_by: str

    def as_dict(self) -> dict:
        """The parse-data and payload form."""
        return {
            "tier": self.tier,
            "category": self.category,
            "sure": self.sure,
            "also_crisis": self.also_crisis,
            "language": self.language,
            "found_by": self.found_by,
        }


def emergency_responses(assessment: dict | None) -> list[str]:
    """The domain responses that answer an emergency, in order, from an assessment's dict form:
    the tier's reply (softer when unsure, Spanish when written in Spanish), then the crisis line
    when the message also speaks of suicide or self-harm. No assessment: the life-threatening one."""
    assessment = assessment or {}
    tier = assessment.get("tier") if assessment.get("tier") in TIERS else TIERS[0]
    unsure = "" if assessment.get("sure", True) else "_unsure"
    language = "_es" if assessment.get("language") == "es" else ""
    responses = [f"utter_emergency_{tier}{unsure}{language}"]
    if assessment.get("also_crisis"):
        responses.append(f"utter_emergency_crisis_line{language}")
    return responses


def emergency_payload(assessment: dict | None) -> dict:
    """What an emergency reply's payload says of it (docs/payload.md): tier, category, sure, language."""
    assessment = assessment or {}
    return {
        "tier": assessment.get("tier") if assessment.get("tier") in TIERS else TIERS[0],
        "category": assessment.get("category"),
        "sure": assessment.get("sure", True),
        "language": assessment.get("language", "en"),
    }
