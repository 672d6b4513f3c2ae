"""Unit tests: API contract, masking, HTML rendering, link unwrapping, speed."""

from __future__ import annotations

from waypost.extract import (
    Candidate,
    Extraction,
    MailContent,
    extract,
    extract_magic_link,
    extract_otp,
)
from waypost.extract._text import parse_html
from waypost.extract._url import unescape_attr, unwrap
from waypost.extract.otp import _mask


def test_api_shape_and_determinism() -> None:
    c = MailContent(subject="Your code", text="Your verification code is 731 904.\nOrder 55.")
    r1, r2 = extract_otp(c), extract_otp(c)
    assert r1 == r2
    assert isinstance(r1, Extraction) and r1.type == "otp"
    assert r1.value == "731904"
    assert all(isinstance(k, Candidate) for k in r1.candidates)
    assert r1.candidates[0].value == r1.value
    assert r1.candidates[0].confidence == r1.confidence
    assert len(r1.candidates) <= 5
    confs = [k.confidence for k in r1.candidates]
    assert confs == sorted(confs, reverse=True)
    assert r1.candidates[0].reason


def test_empty_content() -> None:
    for fn in (extract_otp, extract_magic_link):
        r = fn(MailContent())
        assert r.value is None and r.confidence == 0.0 and r.candidates == []


def test_auto_picks_more_confident_and_ties_go_to_otp() -> None:
    link = MailContent(
        subject="Verify your email",
        html='<a href="https://x.example/verify?token=Zx82kLp0Qm3n">Verify email</a>',
    )
    assert extract(link, "auto").type == "magic_link"
    code = MailContent(subject="Code", text="Your verification code is 482913")
    assert extract(code, "auto").type == "otp"
    assert extract(MailContent(), "auto").type == "otp"


def test_mask_hides_dates_times_ips_prices_urls_emails() -> None:
    line = (
        "On 13/11/2026 18:39:00 from 203.0.46.110 paid $1,299.00 see https://a.io/x?c=123456 "
        "mail bob123456@ex.com call +1 415 555 0100"
    )
    masked = _mask(line)
    assert len(masked) == len(line)
    for token in ("2026", "18", "203", "1,299", "123456", "bob123456", "415"):
        assert token not in masked


def test_html_rendering_skips_style_script_hidden_and_marks_emphasis() -> None:
    vis = parse_html(
        "<html><head><style>.a{color:#123456}</style><script>var x=654321</script></head>"
        "<body><p>Your code</p><p><strong>482913</strong></p>"
        '<div style="display:none">999999</div><a href="https://x.io/a?b=1&amp;c=2">Go</a>'
    )
    assert "123456" not in vis.text and "654321" not in vis.text and "999999" not in vis.text
    assert "Your code\n482913" in vis.text
    start = vis.text.index("482913")
    assert any(s <= start and e >= start + 6 for s, e, _ in vis.emph)
    assert vis.links[0].href == "https://x.io/a?b=1&c=2"
    assert vis.links[0].text == "Go"


def test_unescape_attr_keeps_legacy_entity_lookalikes() -> None:
    assert unescape_attr("a?x=1&amp;y=2") == "a?x=1&y=2"
    assert unescape_attr("a?x=1&region=eu&copy=2") == "a?x=1&region=eu&copy=2"
    assert unescape_attr("a?x=1&#38;y=2") == "a?x=1&y=2"


def test_unwrap_trackers() -> None:
    assert unwrap("https://www.google.com/url?q=https://a.io/verify?t%3D1&sa=D")[0] == (
        "https://a.io/verify?t=1"
    )
    enc = "aHR0cHM6Ly9hLmlvL3ZlcmlmeT90PTE"  # https://a.io/verify?t=1
    assert unwrap(f"https://click.mail.a.io/c?u={enc}")[0] == "https://a.io/verify?t=1"
    assert (
        unwrap(
            "https://x.safelinks.protection.outlook.com/?url=https%3A%2F%2Fa.io%2Fr"
            "%3Ftoken%3Dabc&data=1"
        )[0]
        == "https://a.io/r?token=abc"
    )
    # a verification link that merely carries a post-login redirect is not a tracker
    own = "https://auth.a.io/verify?token=Abc123xyz&redirect=https%3A%2F%2Fapp.a.io%2F"
    assert unwrap(own) == (own, False)
    # unrecoverable trackers stay as they are
    sg = "https://u123.ct.sendgrid.net/ls/click?upn=abc-2B-3D"
    assert unwrap(sg) == (sg, False)


def test_never_a_number_from_url_email_or_year() -> None:
    c = MailContent(
        subject="Welcome",
        text="Contact 482913@acme.com or https://acme.com/c/482913 - © 2024 Acme - code soon",
    )
    r = extract_otp(c)
    assert r.value is None or r.confidence < 0.2
    assert all(k.value not in ("482913", "2024") for k in r.candidates)


def test_separators_removed() -> None:
    assert extract_otp(MailContent(text="Your verification code:\n\n731 904")).value == "731904"
    assert extract_otp(MailContent(text="Your verification code:\n\nK7P-2QX")).value == "K7P2QX"
    assert extract_otp(MailContent(text="Your verification code: 1234-5678")).value == "12345678"


def test_links_penalise_footer_and_social() -> None:
    html = (
        '<a href="https://twitter.com/acme">Twitter</a>'
        '<a href="https://acme.com/unsubscribe?id=Zx82kLp0Qm3nRt">Unsubscribe</a>'
        '<a href="https://acme.com/privacy">Privacy</a>'
        '<a href="https://acme.com/signin/magic?token=Qw8zPl2xN4mKr7T">Sign in to Acme</a>'
    )
    r = extract_magic_link(MailContent(subject="Sign in to Acme", html=html))
    assert r.value == "https://acme.com/signin/magic?token=Qw8zPl2xN4mKr7T"
    assert r.confidence >= 0.8
    assert len(r.candidates) >= 2
    footer_only = MailContent(html=html.rsplit("<a", 1)[0])
    r2 = extract_magic_link(footer_only)
    assert r2.value is None or r2.confidence < 0.2
