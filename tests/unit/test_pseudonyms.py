import pytest

from server.accounts.pseudonyms import check_pseudonym, pseudonym_key, pseudonym_skeleton, suggest_pseudonyms
from server.errors import InvalidField


@pytest.mark.parametrize("name", ["QuietRiver", "Sam", "river_22", "Morning Sparrow", "Zoë", "Андрей", "ひかり", "a.b-c"])
def test_ordinary_pseudonyms_are_accepted(name: str) -> None:
    assert check_pseudonym(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "admin", "Admin", "ADMIN", "Adm1n", "administrator", "moderator", "m0derator", "M0D3RAT0R", "mod", "m.o.d",
        "Ｍoderator",  # full-width M
        "mоderator",  # Cyrillic о mixed in
        "Crisis Support", "CrisisLine", "specialist", "Sp3cialist", "staff", "The Staff", "system", "SYSTEM",
        "hearth", "HearthTeam", "official_help", "support", "root", "sysop",
    ],
)
def test_reserved_names_and_look_alikes_are_refused(name: str) -> None:
    with pytest.raises(InvalidField):
        check_pseudonym(name)


@pytest.mark.parametrize(
    "name",
    ["ab", "x" * 25, "   ", "a\u200bdmin", "bad\u202ename", "two  spaces", "1234", "emoji🙂", "tab\tname", "<b>bold</b>", "x@y.z"],
)
def test_malformed_pseudonyms_are_refused(name: str) -> None:
    with pytest.raises(InvalidField):
        check_pseudonym(name)


def test_uniqueness_key_folds_width_and_case() -> None:
    assert pseudonym_key("ＲＩＶＥＲ") == pseudonym_key("river") == pseudonym_key("River")
    assert pseudonym_key("Straße") == pseudonym_key("STRASSE")


def test_skeleton_maps_confusables() -> None:
    assert pseudonym_skeleton("R1ver") == pseudonym_skeleton("River")
    assert pseudonym_skeleton("Rivеr") == pseudonym_skeleton("River")  # Cyrillic е
    assert pseudonym_skeleton("Ri-ver") == pseudonym_skeleton("River")


def test_suggestions_are_valid_pseudonyms() -> None:
    for name in suggest_pseudonyms(20):
        assert check_pseudonym(name) == name


def test_a_key_never_holds_what_a_database_cannot_store() -> None:
    # Looked up from member input (hosts, blocks, partners…): NUL and lone surrogates
    # made PostgreSQL's driver fail with a 500 instead of "nobody by that name".
    for name in ("z\x00ember", "ember\udb26", "\ud80f\udf80x"):
        key = pseudonym_key(name)
        assert "\x00" not in key and not any(0xD800 <= ord(ch) <= 0xDFFF for ch in key)
        key.encode("utf-8")
        assert key != pseudonym_key("zember") and key != pseudonym_key("ember")
    assert pseudonym_key("Ember") == pseudonym_key("ember") == "ember"
