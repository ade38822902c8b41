"""Skills and levels, and the shared vocabulary that makes "JS", "Javascript" and "JavaScript" one skill.

A skill is stored and compared by its key: the label case-folded. Before that, a name is folded onto the
vocabulary: a known synonym or a seed skill written differently ("js", "Javascript", "node js") becomes the
vocabulary's label ("JavaScript", "Node.js"). Any other name is kept as the person wrote it: new skills are
always allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from core.errors import InvalidInput
from core.model.text import clean

MIN_LEVEL = 1
MAX_LEVEL = 5
MAX_SKILL_NAME = 60

SEED_SKILLS: tuple[str, ...] = (
    ".NET", "Accessibility", "Accounting", "Agile", "Angular", "Ansible", "AWS", "Azure", "Bash", "C", "C#",
    "C++", "Coaching", "Communication", "CSS", "Customer support", "Data analysis", "Data engineering",
    "Data visualization", "Docker", "English", "Excel", "Facilitation", "Figma", "Finance", "French",
    "German", "Git", "Go", "Google Cloud", "GraphQL", "HTML", "Java", "JavaScript", "Kafka", "Kotlin",
    "Kubernetes", "Leadership", "Linux", "Machine learning", "Marketing", "Negotiation", "Node.js",
    "PHP", "PostgreSQL", "Power BI", "Presenting", "Product management", "Project management", "Python",
    "React", "Recruiting", "Rust", "Sales", "Scrum", "Security", "Spanish", "SQL", "Statistics", "Swift",
    "Terraform", "Testing", "TypeScript", "UX design", "Vue.js", "Writing",
)  # fmt: skip

SYNONYMS: Mapping[str, str] = {
    "js": "JavaScript",
    "ecmascript": "JavaScript",
    "ts": "TypeScript",
    "py": "Python",
    "python3": "Python",
    "golang": "Go",
    "k8s": "Kubernetes",
    "kube": "Kubernetes",
    "csharp": "C#",
    "c sharp": "C#",
    "cpp": "C++",
    "cplusplus": "C++",
    "dotnet": ".NET",
    "postgres": "PostgreSQL",
    "psql": "PostgreSQL",
    "node": "Node.js",
    "reactjs": "React",
    "vue": "Vue.js",
    "gcp": "Google Cloud",
    "amazon web services": "AWS",
    "microsoft azure": "Azure",
    "ml": "Machine learning",
    "ux": "UX design",
    "powerbi": "Power BI",
    "ms excel": "Excel",
    "microsoft excel": "Excel",
    "public speaking": "Presenting",
    "shell": "Bash",
}
"""Other names for a vocabulary skill, compared loosely (case, spaces, dots, dashes and underscores aside)."""

_LOOSE = re.compile(r"[\s.\-_]+")


def loose_key(name: str) -> str:
    """How names are compared when folding onto the vocabulary: "Node JS", "node.js" and "nodejs" agree."""
    return _LOOSE.sub("", name.casefold())


_VOCABULARY: dict[str, str] = {loose_key(label): label for label in SEED_SKILLS}
_VOCABULARY.update({loose_key(other): label for other, label in SYNONYMS.items()})


def skill_label(name: str) -> str:
    """How a skill is shown: the vocabulary's label when the name is one of its skills or their synonyms,
    else as the person wrote it, made comparable (see `core.model.text`)."""
    cleaned = clean(name, "skill", what=f"The skill name '{name[:20]}'")
    return _VOCABULARY.get(loose_key(cleaned), cleaned) if cleaned else cleaned


def normalize_skill(name: str) -> str:
    """The key a skill is stored and compared by: the label, case-folded ("Ｐｙｔｈｏｎ " → "python",
    "JS" → "javascript")."""
    key = skill_label(name).casefold()
    if not key:
        raise InvalidInput("skill", "A skill needs a name with letters or digits in it, e.g. 'Kubernetes'.")
    if len(key) > MAX_SKILL_NAME:
        raise InvalidInput(
            "skill", f"The skill '{name[:20]}…' is {len(key)} characters long; use at most {MAX_SKILL_NAME}."
        )
    return key


@dataclass(frozen=True)
class SkillLevel:
    """A skill and a level from 1 (beginner) to 5 (expert); `label` is how it is shown (see `skill_label`)."""

    key: str
    level: int
    label: str

    @classmethod
    def of(cls, name: str, level: int) -> SkillLevel:
        if isinstance(level, bool) or not isinstance(level, int) or not MIN_LEVEL <= level <= MAX_LEVEL:
            raise InvalidInput(
                "level",
                f"The level of '{name}' is '{level}'. Use a whole number from 1 (beginner) to 5 (expert).",
            )
        return cls(key=normalize_skill(name), level=level, label=skill_label(name))
