import pickle

import pytest

from idconnect_tester.core.masking import SECRET_MASK, Secret, mask_secret, mask_token

ACCESS = "snd-id-con-a-WRT7FRBRfdejpsDR8a_cYeX9BU32QP_I_Hyc93saZcg5965PfGzrHGDEdrTRseop"


def test_secret_never_prints_itself() -> None:
    secret = Secret("hunter2-very-secret")
    for text in (str(secret), repr(secret), f"{secret}", f"{secret!r}", str([secret])):
        assert "hunter2" not in text
    assert secret.reveal() == "hunter2-very-secret"
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")
    assert not Secret("")


def test_secret_refuses_to_be_pickled() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret("x"))


def test_token_mask_keeps_prefix_and_last_four() -> None:
    masked = mask_token(ACCESS)
    assert masked == "snd-id-con-a-WRT7…seop"
    assert ACCESS[20:60] not in masked


@pytest.mark.parametrize("value", ["abc", "sbx:abcdefgh", "snd-id-con-r-abc"])
def test_short_values_are_not_half_revealed(value: str) -> None:
    masked = mask_token(value)
    assert masked.endswith("…")
    assert len(masked) < len(value) or masked == value[:2] + "…"


def test_secret_mask() -> None:
    assert mask_secret("anything") == SECRET_MASK
    assert mask_secret("") == ""
