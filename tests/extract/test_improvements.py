"""Unit tests for tracker unwrapping, multilingual keywords, date masking and calibration."""

from __future__ import annotations

import base64
import json
import zlib

from waypost.extract import MailContent, extract_magic_link, extract_otp
from waypost.extract._url import unwrap
from waypost.extract.confidence import confidences
from waypost.extract.otp import _mask


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_unwrap_mandrill_nested_json() -> None:
    inner = json.dumps({"u": 1, "v": 1, "url": "https://a.io/verify?t=1", "id": "x"})
    p = _b64(json.dumps({"s": "sig", "v": 1, "p": inner}).encode())
    assert unwrap(f"https://mandrillapp.com/track/click/1/a.io?p={p}") == (
        "https://a.io/verify?t=1",
        True,
    )


def test_unwrap_json_and_zlib_path_segments() -> None:
    cio = _b64(json.dumps({"email_id": "d", "href": "https://a.io/magic?token=abc123"}).encode())
    assert unwrap(f"https://e.customeriomail.com/e/c/{cio}/6f0a")[0] == (
        "https://a.io/magic?token=abc123"
    )
    mg = _b64(zlib.compress(json.dumps({"l": "https://a.io/confirm?k=zz99"}).encode()))
    assert unwrap(f"https://email.mg.a.io/c/{mg}")[0] == "https://a.io/confirm?k=zz99"


def test_unwrap_ses_path_and_opaque_trackers_stay() -> None:
    ses = "https://x.r.us-east-1.awstrack.me/L0/https:%2F%2Fa.io%2Fverify%3Ft=Zq1/1/0100-0/Yt3="
    assert unwrap(ses)[0] == "https://a.io/verify?t=Zq1"
    for opaque in (
        "https://orbit.us14.list-manage.com/track/click?u=5c2f1e7a9b3d4c6e8&id=7e4d2a9b1f",
        "https://email.mg.a.io/c/eJwlzEEOgyAQheHTOEsCiKILF71KQ5AqU4FmmND0",
        "https://u20.ct.sendgrid.net/ls/click?upn=u001.Qd0kZ2Ft7Lx-2BpV9mW3nR8sT1yH4j",
    ):
        assert unwrap(opaque) == (opaque, False)


def test_impossible_dates_are_not_masked() -> None:
    assert "52-71-90" in _mask("Enter this code: 52-71-90")
    assert "2025-06-18" not in _mask("on 2025-06-18")
    assert "18-06-25" not in _mask("on 18-06-25")


def test_more_languages_have_code_words() -> None:
    texts = {
        "pl": "Twój jednorazowy kod to: 148203",
        "tr": "Doğrulama kodunuz: 148203",
        "sv": "Din engångskod är 148203",
        "fi": "Vahvistuskoodisi on 148203",
        "cs": "Váš ověřovací kód je 148203",
        "hu": "Az ellenőrző kódod: 148203",
        "he": "קוד האימות שלך הוא: 148203",
        "hi": "आपका सत्यापन कोड 148203 है।",
        "th": "รหัสยืนยันของคุณคือ 148203",
        "vi": "Mã xác minh của bạn là 148203",
    }
    for lang, text in texts.items():
        r = extract_otp(MailContent(text=text))
        assert r.value == "148203", lang
        assert r.confidence >= 0.7, (lang, r.confidence)


def test_weak_wording_is_confident() -> None:
    for subject, text, code in (
        ("Your PIN", "Your PIN is 4407", "4407"),
        ("123456 is your Instagram code", "Hi, someone tried to log in.", "123456"),
        ("Sign in", "Use 829 114 to sign in", "829114"),
        ("Code", "Enter this code: 52-71-90", "527190"),
    ):
        r = extract_otp(MailContent(subject=subject, text=text))
        assert r.value == code
        assert r.confidence >= 0.7, (code, r.confidence)


def test_support_phone_is_not_the_code() -> None:
    r = extract_otp(MailContent(text="인증번호는 다음과 같습니다.\n583021\n고객센터 1588-1234"))
    assert r.value == "583021"
    assert all(k.confidence < 0.5 for k in r.candidates[1:])


def test_confidence_monotone_and_capped() -> None:
    kw = {"slope": 1.0, "midpoint": 2.0, "temperature": 0.6}
    last = 0.0
    for s in range(-4, 20):
        (c,) = confidences([float(s)], **kw)
        assert c >= last and c <= 0.99
        last = c
    assert confidences([6.0, 5.5], **kw)[0] < confidences([6.0], **kw)[0]


def test_multilingual_link_actions() -> None:
    html = (
        '<p>Kliknij przycisk, aby kontynuować.</p><a href="https://a.pl/x?token=Wq82LmZx0pTr5s">'
        'Potwierdź adres</a> <a href="https://a.pl/privacy">Prywatność</a>'
    )
    r = extract_magic_link(MailContent(subject="Konto", html=html))
    assert r.value == "https://a.pl/x?token=Wq82LmZx0pTr5s"
    assert r.confidence >= 0.8


def test_meeting_passcodes_and_receipt_codes_are_not_confident() -> None:
    for subject, text in (
        ("Meeting", "Join Zoom Meeting\nMeeting ID: 845 2213 9901\nPasscode: 482913"),
        ("Your Uber receipt", "Total 23.40\nTrip code 4471"),
    ):
        r = extract_otp(MailContent(subject=subject, text=text))
        assert r.confidence < 0.5, (subject, r)
