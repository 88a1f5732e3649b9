"""Settings.from_env: typed parsing, fail-fast on bad input, secrets from files and never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.kafka_config import client_kwargs, faust_credentials
from streams.settings import Secret, Settings, SettingsError, env_var_names, to_env

PASSWORD = "pa55-w0rd-XYZZY"


@pytest.mark.parametrize(("raw", "expected"), [
    ("true", True), ("TRUE", True), ("1", True), ("yes", True), ("on", True),
    ("false", False), ("False", False), ("0", False), ("no", False), ("off", False), (" off ", False),
])
def test_bools_parse_the_words_people_write(raw: str, expected: bool) -> None:
    """Boolean settings accept the usual words (and bool('false') is not True here)."""
    s = Settings.from_env({"WIRESTREAM_VALIDATE_OUTPUT": raw})
    assert s.validate_output is expected, f"{raw!r} parsed as {s.validate_output}"


@pytest.mark.parametrize("raw", ["maybe", "", "2", "truthy"])
def test_bad_bool_fails_fast(raw: str) -> None:
    """A boolean that is not a recognised word is a start-up error naming the variable."""
    with pytest.raises(SettingsError, match="WIRESTREAM_VALIDATE_OUTPUT"):
        Settings.from_env({"WIRESTREAM_VALIDATE_OUTPUT": raw})


def test_literals_accept_only_listed_values() -> None:
    """Literal settings accept their values and reject anything else, listing the choices."""
    s = Settings.from_env({"WIRESTREAM_PROCESSING_GUARANTEE": "exactly_once"})
    assert s.processing_guarantee == "exactly_once"
    with pytest.raises(SettingsError, match="at_least_once"):
        Settings.from_env({"WIRESTREAM_PROCESSING_GUARANTEE": "exactly-once"})
    with pytest.raises(SettingsError, match="SASL_SSL"):
        Settings.from_env({"WIRESTREAM_SECURITY_PROTOCOL": "sasl_ssl"})


def test_numbers_parse_and_reject_garbage_and_negatives() -> None:
    """Ints and floats parse; non-numbers and negatives fail fast."""
    s = Settings.from_env({"WIRESTREAM_PARTITIONS": "8", "WIRESTREAM_RECORD_BUDGET_S": "0.25"})
    assert (s.partitions, s.record_budget_s) == (8, 0.25)
    with pytest.raises(SettingsError, match="WIRESTREAM_PARTITIONS"):
        Settings.from_env({"WIRESTREAM_PARTITIONS": "four"})
    with pytest.raises(SettingsError, match="negative"):
        Settings.from_env({"WIRESTREAM_MAX_PAYLOAD_BYTES": "-1"})


def test_unknown_keys_fail_fast() -> None:
    """A misspelt WIRESTREAM_ variable is an error, not silently ignored; other variables are ignored."""
    with pytest.raises(SettingsError, match="WIRESTREAM_PARTITONS"):
        Settings.from_env({"WIRESTREAM_PARTITONS": "8"})
    assert Settings.from_env({"HOME": "/root", "KAFKA_X": "1"}) == Settings()


def test_nested_sections_and_round_trip() -> None:
    """Section settings use the section prefix, and to_env reproduces the settings."""
    s = Settings.from_env({"WIRESTREAM_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                           "WIRESTREAM_SECURITY_SASL_MECHANISM": "SCRAM-SHA-512",
                           "WIRESTREAM_SECURITY_SASL_USERNAME": "svc",
                           "WIRESTREAM_SECURITY_SASL_PASSWORD": PASSWORD,
                           "WIRESTREAM_TOPICS_RAW": "in.raw"})
    assert (s.security.protocol, s.security.sasl_mechanism, s.topics.raw) == ("SASL_PLAINTEXT", "SCRAM-SHA-512",
                                                                             "in.raw")
    assert Settings.from_env(to_env(s)) == s


def test_secret_from_file(tmp_path: Path) -> None:
    """*_FILE variables read the secret from a file (trailing newline stripped)."""
    path = tmp_path / "pw"
    path.write_text(PASSWORD + "\n")
    s = Settings.from_env({"WIRESTREAM_SECURITY_SASL_PASSWORD_FILE": str(path)})
    assert s.security.sasl_password.reveal() == PASSWORD


def test_secret_and_its_file_together_fail_fast(tmp_path: Path) -> None:
    """Setting both a secret and its _FILE form is ambiguous and fails fast."""
    path = tmp_path / "pw"
    path.write_text("from-file")
    with pytest.raises(SettingsError, match="_FILE"):
        Settings.from_env({"WIRESTREAM_SECURITY_SASL_PASSWORD": PASSWORD,
                           "WIRESTREAM_SECURITY_SASL_PASSWORD_FILE": str(path)})


def test_missing_secret_file_fails_without_showing_contents(tmp_path: Path) -> None:
    """An unreadable secret file is a clear start-up error."""
    with pytest.raises(SettingsError, match="cannot read secret file"):
        Settings.from_env({"WIRESTREAM_SECURITY_SASL_PASSWORD_FILE": str(tmp_path / "absent")})


def test_file_form_only_for_secrets(tmp_path: Path) -> None:
    """Only Secret settings have a _FILE form; others are unknown keys."""
    path = tmp_path / "n"
    path.write_text("8")
    with pytest.raises(SettingsError, match="WIRESTREAM_PARTITIONS_FILE"):
        Settings.from_env({"WIRESTREAM_PARTITIONS_FILE": str(path)})


def test_repr_and_str_hide_secrets() -> None:
    """Neither repr(settings), str(settings), f-strings nor error messages show the password."""
    s = Settings.from_env({"WIRESTREAM_SECURITY_SASL_PASSWORD": PASSWORD})
    percent = "%s" % (s.security.sasl_password,)  # noqa: UP031 - %-formatting is its own code path
    for shown in (repr(s), str(s), f"{s}", repr(s.security), f"{s.security.sasl_password}", percent,
                  str(env_var_names())):
        assert PASSWORD not in shown, f"password leaked in: {shown[:200]}"
    assert s.security.sasl_password == PASSWORD, "the secret still compares equal to its value"
    assert repr(Secret("")) == "Secret('')"


def test_secret_is_masked_in_coercion_errors() -> None:
    """A rejected value is echoed in the error, except for secrets."""
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"WIRESTREAM_PARTITIONS": PASSWORD})
    assert PASSWORD in str(info.value), "non-secret bad values are shown to help the operator"


def test_client_kwargs_carry_sasl_credentials() -> None:
    """SASL settings become aiokafka client arguments with the revealed password."""
    s = Settings.from_env({"WIRESTREAM_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                           "WIRESTREAM_SECURITY_SASL_USERNAME": "svc",
                           "WIRESTREAM_SECURITY_SASL_PASSWORD": PASSWORD})
    kw = client_kwargs(s)
    assert kw["security_protocol"] == "SASL_PLAINTEXT" and kw["sasl_mechanism"] == "PLAIN"
    assert (kw["sasl_plain_username"], kw["sasl_plain_password"]) == ("svc", PASSWORD)
    assert type(kw["sasl_plain_password"]) is str, "clients receive a plain str, not the masking Secret"
    creds = faust_credentials(s)
    assert creds is not None and creds.username == "svc"


def test_plaintext_has_no_credentials() -> None:
    """The default protocol passes no SASL or SSL arguments."""
    kw = client_kwargs(Settings())
    assert kw["security_protocol"] == "PLAINTEXT" and "sasl_mechanism" not in kw and "ssl_context" not in kw
    assert faust_credentials(Settings()) is None


def test_ssl_builds_a_context() -> None:
    """SSL and SASL_SSL build a verifying SSL context for both clients."""
    import ssl

    for proto in ("SSL", "SASL_SSL"):
        s = Settings.from_env({"WIRESTREAM_SECURITY_PROTOCOL": proto,
                               "WIRESTREAM_SECURITY_SASL_MECHANISM": "SCRAM-SHA-256",
                               "WIRESTREAM_SECURITY_SASL_USERNAME": "svc",
                               "WIRESTREAM_SECURITY_SASL_PASSWORD": PASSWORD})
        kw = client_kwargs(s)
        context = kw["ssl_context"]
        assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED, proto
        assert context.check_hostname, f"{proto}: hostname checking must stay on"
        assert faust_credentials(s) is not None
    assert client_kwargs(s)["sasl_mechanism"] == "SCRAM-SHA-256"
