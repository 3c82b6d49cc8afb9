"""Settings come from CHIRP_* variables, typed, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings import Settings


def test_settings_are_read_and_typed_from_chirp_variables() -> None:
    settings = Settings.from_env(
        {
            "CHIRP_PROFILE": "full",
            "CHIRP_DATA_DIR": "/tmp/x",
            "CHIRP_RATELIMIT_ENABLED": "false",
            "CHIRP_FEED_CAP": "50",
            "UNRELATED": "ignored",
        }
    )
    assert (settings.profile, settings.data_dir, settings.ratelimit_enabled, settings.feed_cap) == (
        "full",
        Path("/tmp/x"),
        False,
        50,
    )


def test_defaults_are_the_embedded_profile_in_var_with_rate_limits_on() -> None:
    settings = Settings.from_env({})
    assert (settings.profile, settings.data_dir, settings.ratelimit_enabled) == (
        "embedded",
        Path("./var"),
        True,
    )


@pytest.mark.parametrize(
    "name,value",
    [
        ("CHIRP_PROFILE", "cloud"),
        ("CHIRP_FEED_CAP", "many"),
        ("CHIRP_RATELIMIT_ENABLED", "perhaps"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match="CHIRP_"):
        Settings.from_env({name: value})
