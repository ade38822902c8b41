from __future__ import annotations

import pytest

from lti.roles import Role, is_learner, is_staff, parse, principal_names

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


@pytest.mark.parametrize(
    ("value", "role"),
    [
        (f"{LIS}membership#Instructor", Role("context", "Instructor")),
        (f"{LIS}membership/Instructor#PrimaryInstructor", Role("context", "Instructor", "PrimaryInstructor")),
        (f"{LIS}institution/person#Faculty", Role("institution", "Faculty")),
        (f"{LIS}system/person#Administrator", Role("system", "Administrator")),
        ("Learner", Role("context", "Learner")),
        (
            "urn:lti:role:ims/lis/Instructor/TeachingAssistant",
            Role("context", "Instructor", "TeachingAssistant"),
        ),
        ("urn:lti:instrole:ims/lis/Student", Role("institution", "Student")),
        ("http://example.edu/roles#Boss", None),
        (f"{LIS}membership", None),
    ],
)
def test_a_role_is_parsed_by_the_lis_vocabulary(value: str, role: Role | None) -> None:
    assert parse(value) == role


def test_a_sub_role_implies_its_principal_role() -> None:
    assert is_staff([f"{LIS}membership/Instructor#PrimaryInstructor"])
    assert is_learner([f"{LIS}membership/Learner#NonCreditLearner"])
    assert principal_names([f"{LIS}membership/Learner#Learner", f"{LIS}membership#Learner"]) == ("Learner",)


def test_course_roles_decide_over_institution_roles() -> None:
    assert not is_staff([f"{LIS}membership#Learner", f"{LIS}institution/person#Instructor"])
    assert not is_staff([f"{LIS}institution/person#Faculty"])  # teaches somewhere, not in this course
    assert is_staff([f"{LIS}institution/person#Administrator"])
    assert is_staff([f"{LIS}membership#ContentDeveloper"])
    assert not is_staff([f"{LIS}membership#Mentor"]) and not is_staff([])
