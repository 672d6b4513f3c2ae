# ruff: noqa: E501
"""Adversarial verification emails: realistic messages built to provoke confident wrong answers.

Each case is a raw RFC 5322 message with a label following /work/shared/corpus/README.md:
OTP values without spaces/dashes, links exactly as offered (entities decoded), an optional
``target`` for click-tracking links, and ``none`` for mails a verification wait must not take
a value from.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

__all__ = ["CASES", "AdvCase"]


@dataclass(frozen=True)
class AdvCase:
    """One adversarial email and its label."""

    name: str
    kind: str  # "otp" | "magic_link" | "none"
    value: str | None
    raw: bytes
    target: str | None = None
    note: str = ""


CASES: list[AdvCase] = []

_DATE = formatdate(1795530727, localtime=False)  # fixed date (Nov 2026)


def _build(
    subject: str,
    text: str | None = None,
    html: str | None = None,
    sender: str = "Acme <no-reply@acme.example>",
    text_cte: str | None = None,
    html_cte: str | None = None,
    extra: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = "agent-7f3k@inbox.waypost.example"
    msg["Subject"] = subject
    msg["Date"] = _DATE
    msg["Message-ID"] = f"<{abs(hash(subject)) % 10**12}.{len(CASES)}@mail.example>"
    for k, v in (extra or {}).items():
        msg[k] = v
    if text is not None:
        if text_cte:
            msg.set_content(text, cte=text_cte)
        else:
            msg.set_content(text)
        if html is not None:
            if html_cte:
                msg.add_alternative(html, subtype="html", cte=html_cte)
            else:
                msg.add_alternative(html, subtype="html")
    elif html is not None:
        if html_cte:
            msg.set_content(html, subtype="html", cte=html_cte)
        else:
            msg.set_content(html, subtype="html")
    return msg.as_bytes()


def _add(
    name: str,
    kind: str,
    value: str | None,
    raw: bytes,
    target: str | None = None,
    note: str = "",
) -> None:
    CASES.append(AdvCase(name, kind, value, raw, target, note))


def _page(body: str, preheader: str = "", footer: str = "") -> str:
    """A typical table-layout transactional HTML email."""
    pre = (
        '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;'
        f'color:#fff;line-height:1px">{preheader}&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;</div>'
        if preheader
        else ""
    )
    foot = footer or (
        "Acme Inc., 548 Market St #92101, San Francisco, CA 94104, USA<br>"
        "&copy; 2026 Acme Inc. All rights reserved.<br>"
        '<a href="https://acme.example/privacy">Privacy</a> | '
        '<a href="https://acme.example/terms">Terms</a>'
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Acme</title></head>"
        '<body style="margin:0;padding:0;background:#f4f4f7">'
        f"{pre}"
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">'
        '<table role="presentation" width="600" cellpadding="0" cellspacing="0">'
        '<tr><td style="padding:24px"><a href="https://acme.example/?utm_source=email">'
        '<img src="https://cdn.acme.example/logo.png" alt="Acme" width="120" height="32"></a></td></tr>'
        f'<tr><td style="padding:24px;font-family:Arial,sans-serif;font-size:16px">{body}</td></tr>'
        f'<tr><td style="padding:24px;font-size:12px;color:#888">{foot}</td></tr>'
        "</table></td></tr></table></body></html>"
    )


_JWT = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6Ijk3ZjM2YjYwIiwidHlwIjoiSldUIn0."
    "eyJhdWQiOiJhdXRoZW50aWNhdGVkIiwiZXhwIjoxNzk1NTMxNjI3LCJpYXQiOjE3OTU1MzA3MjcsImlzcyI6Imh0dHBz"
    "Oi8vYXV0aC5hY21lLmV4YW1wbGUiLCJzdWIiOiI0ZDFmYjBiZS05YjM2LTRmYTctYWFlYy02YzFkN2Q2YzZmMzMiLCJl"
    "bWFpbCI6ImFnZW50LTdmM2tAaW5ib3gud2F5cG9zdC5leGFtcGxlIiwicm9sZSI6ImF1dGhlbnRpY2F0ZWQiLCJhYWwi"
    "OiJhYWwxIiwiYW1yIjpbeyJtZXRob2QiOiJvdHAiLCJ0aW1lc3RhbXAiOjE3OTU1MzA3Mjd9XSwic2Vzc2lvbl9pZCI6"
    "IjE4NGQ5ZjNiLWFhNGMtNDYzZC04ZjQ5LTFkOWE3ZjBjNmI0YSJ9."
    "Qm9ndXNTaWduYXR1cmVCeXRlc0Zvck5vd1dpdGhFbm91Z2hMZW5ndGhUb0xvb2tSZWFsaXN0aWNfWFlaLUFCQy0xMjM0"
    "NTY3ODkwX2FiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo"
)

# ---------------------------------------------------------------------------------------------
# OTP emails with distracting numbers
# ---------------------------------------------------------------------------------------------

_add(
    "otp_order_phone_amount_date_footer",
    "otp",
    "482913",
    _build(
        "Confirm your checkout",
        text=(
            "Hi Dana,\n\n"
            "Order #1002345 placed on Nov 23, 2026 for a total of $129.99.\n"
            "To confirm this purchase, enter the verification code below:\n\n"
            "    482913\n\n"
            "The code expires in 10 minutes.\n\n"
            "Questions? Call us at +1 (800) 555-0199, Mon-Fri 9:00-17:00.\n"
            "Acme Inc., 548 Market St #92101, San Francisco, CA 94104\n"
            "(c) 2026 Acme Inc.\n"
        ),
    ),
)

_add(
    "otp_html_table_far_from_keyword",
    "otp",
    "739104",
    _build(
        "Your sign-in code",
        html=_page(
            "<h1>Sign in to Acme</h1><p>Your code is below. Enter it in the open browser window "
            "to finish signing in from <b>Chrome on macOS</b> near Lisbon, Portugal.</p>"
            "<table><tr><td>Requested at</td><td>14:32 UTC, 23/11/2026</td></tr>"
            "<tr><td>Account</td><td>dana@example.com</td></tr></table>"
            "<p>For your security, never share it with anyone, including Acme staff. "
            "It can only be used once and is valid for 15 minutes.</p>"
            '<table width="100%"><tr><td align="center" style="background:#eef;font-size:32px;'
            'letter-spacing:8px;font-family:monospace;padding:16px">739104</td></tr></table>'
            "<p>Support ticket hours: 08:00&ndash;20:00 CET. Call 0800 123 4567.</p>"
        ),
    ),
)

_add(
    "otp_forwarded_thread_old_code",
    "otp",
    "551902",
    _build(
        "Fwd: Your verification code",
        text=(
            "Your new verification code is 551902.\n"
            "It expires in 10 minutes.\n\n"
            "On Sun, Nov 22, 2026 at 09:14, Acme <no-reply@acme.example> wrote:\n"
            "> Your verification code is 118274.\n"
            "> This code has expired.\n"
            ">\n"
            "> Acme Inc., 548 Market St, San Francisco, CA 94104\n"
        ),
    ),
)

_add(
    "otp_new_code_replaces_old",
    "otp",
    "330218",
    _build(
        "Your new login code",
        text=(
            "You asked for a new code. Your login code is 330218.\n\n"
            "The previous code (771902) is no longer valid.\n\n"
            "- The Acme team\n"
        ),
    ),
)

_add(
    "none_backup_codes_list",
    "none",
    None,
    _build(
        "Your new backup codes",
        text=(
            "You generated new two-factor backup codes on Nov 23, 2026 at 14:32.\n"
            "Keep them somewhere safe. Each code can be used once.\n\n"
            "  1. 4821-9930\n  2. 1173-5582\n  3. 9045-2217\n  4. 6630-1849\n"
            "  5. 3318-7046\n  6. 5502-8861\n  7. 2297-4410\n  8. 8764-0395\n\n"
            "Your old backup codes no longer work.\n"
        ),
    ),
    note="list of codes, no single value to type",
)

_add(
    "otp_preheader_hidden",
    "otp",
    "604219",
    _build(
        "Verify your email",
        html=_page(
            "<p>Hi there,</p><p>Use this code to verify your email address:</p>"
            '<p style="font-size:28px;font-weight:bold">604219</p>'
            "<p>This code expires in 30 minutes.</p>",
            preheader="604219 is your Acme verification code",
        ),
    ),
)

_add(
    "otp_preheader_only_mentions_other_text",
    "otp",
    "915037",
    _build(
        "Sign-in attempt",
        html=_page(
            "<p>Enter this code to sign in:</p>"
            '<div style="font-size:30px">915037</div>'
            "<p>Request from IP 203.0.113.42 at 14:32 (UTC+01:00).</p>",
            preheader="Request #20261123 - sign-in from a new device",
        ),
    ),
)

_add(
    "otp_alnum_dash",
    "otp",
    "A1B2C3D4",
    _build(
        "Your Acme security code",
        text=(
            "Your security code: A1B2-C3D4\n\n"
            "Enter it on the sign-in page. It expires at 14:47 UTC.\n"
            "Ticket ID: REF-20261123-0042\n"
        ),
    ),
)

_add(
    "otp_spaced_digits",
    "otp",
    "749216",
    _build(
        "Verification code",
        html=_page(
            "<p>Your verification code:</p>"
            '<p style="font-size:32px;letter-spacing:4px">7 4 9 2 1 6</p>'
            "<p>Valid for 5 minutes.</p>"
        ),
    ),
)

_add(
    "otp_dashed_digits",
    "otp",
    "749216",
    _build(
        "Your code",
        text="Your Acme code is 749-216. Don't share it.\nNeed help? Call 1-800-555-0199.\n",
    ),
)

_add(
    "otp_hash_prefix",
    "otp",
    "749216",
    _build(
        "#749216 is your verification code",
        text="Your verification code is #749216\nIt expires in 10 min.\n",
    ),
)

_add(
    "otp_sentence_end_period",
    "otp",
    "749216",
    _build(
        "Log in to Acme",
        text=(
            "Hello,\nSomeone (hopefully you) is trying to log in. Your code is 749216.\n"
            "If this was not you, change your password.\n"
        ),
    ),
)

_add(
    "otp_grouped_space",
    "otp",
    "482913",
    _build(
        "Your Acme code: 482 913",
        text="Your Acme code: 482 913\n\nEnter it within 10 minutes. Order ref 55120.\n",
    ),
)

_add(
    "otp_leading_zero_with_amount",
    "otp",
    "088412",
    _build(
        "Confirm your payment",
        text=(
            "Confirm payment of EUR 1,249.00 to Nordic Outdoor AB (card ending 4821).\n\n"
            "Your one-time password is 088412\n\n"
            "Transaction date: 23.11.2026 14:32\nMerchant ID: 30021987\n"
        ),
    ),
)

_add(
    "otp_four_digit_pin_year_footer",
    "otp",
    "4821",
    _build(
        "Your PIN",
        text=(
            "Your Acme verification PIN: 4821\n\n"
            "Expires in 5 minutes.\n\n"
            "(c) 2026 Acme Inc. | 2100 Ocean Ave, Suite 1200\n"
        ),
    ),
)

_add(
    "otp_eight_digits_phone_nearby",
    "otp",
    "40918277",
    _build(
        "Verification",
        text=(
            "Verification code: 40918277\n"
            "If you need help, call 1-800-4312-998 or +44 20 7946 0958.\n"
        ),
    ),
)

_add(
    "otp_reference_before_code",
    "otp",
    "446190",
    _build(
        "Your one-time passcode",
        text=(
            "Reference number: 771203\n"
            "Your one-time passcode: 446190\n"
            "Do not share this passcode. Bank staff will never ask for it.\n"
        ),
    ),
)

_add(
    "otp_alnum_uppercase_words_nearby",
    "otp",
    "K7P2QX",
    _build(
        "ACTION REQUIRED: VERIFY YOUR ACCOUNT",
        text=(
            "IMPORTANT NOTICE\n\n"
            "Your code: K7P2QX\n\n"
            "ENTER THIS CODE TO CONTINUE. PAYMENTS IN USD ONLY.\n"
        ),
    ),
)

_add(
    "otp_base64_html_digits_in_cells",
    "otp",
    "318560",
    _build(
        "Your code",
        html=_page(
            "<p>Enter the following code to continue:</p>"
            '<table cellspacing="6"><tr>'
            + "".join(
                f'<td style="border:1px solid #ccc;padding:10px;font-size:24px">{d}</td>'
                for d in "318560"
            )
            + "</tr></table><p>The code expires in 10 minutes.</p>"
        ),
        html_cte="base64",
    ),
)

_add(
    "otp_strong_next_line_qp",
    "otp",
    "592041",
    _build(
        "Confirm your email",
        text="Your code is:\n\n    592041\n\nCustomer number: 2026-11-0042\n",
        html=_page(
            "<p>Your code is:</p><p><strong>592041</strong></p><p>Customer number: 2026-11-0042</p>"
        ),
        text_cte="quoted-printable",
        html_cte="quoted-printable",
    ),
)

_add(
    "otp_with_link_too",
    "otp",
    "604112",
    _build(
        "Finish signing up",
        text=(
            "Enter code 604112 in the app, or click this link to verify:\n"
            "https://acme.example/verify?email=dana%40example.com&code=604112\n"
        ),
    ),
)

_add(
    "otp_request_id_uuid",
    "otp",
    "275019",
    _build(
        "Security code",
        text=(
            "Your security code is 275019.\n"
            "Request ID: 8f3a2c1e-4b77-4a10-9d2e-205118734411\n"
            "Sent 2026-11-23 14:32:07 UTC\n"
        ),
    ),
)

_add(
    "otp_subject_has_code_body_has_ip",
    "otp",
    "123456",
    _build(
        "123456 is your Acme login code",
        text=(
            "Hi dana,\n\n"
            "Someone tried to log in to your account from 203.0.113.5 (Berlin, Germany).\n"
            "If this was you, enter 123456 to log in.\n"
        ),
    ),
)

# Languages ------------------------------------------------------------------------------------

_add(
    "otp_greek",
    "otp",
    "381047",
    _build(
        "Κωδικός επαλήθευσης",
        text=(
            "Γεια σας,\n\nΟ κωδικός επαλήθευσης είναι: 381047\n\n"
            "Ισχύει για 10 λεπτά. Τηλ. υποστήριξης: 210 123 4567.\n"
        ),
    ),
)

_add(
    "otp_hebrew",
    "otp",
    "902615",
    _build(
        "קוד אימות",
        html=(
            '<html dir="rtl"><body><p>שלום,</p><p>קוד האימות שלך הוא: <b>902615</b></p>'
            "<p>הקוד תקף ל-10 דקות. שירות לקוחות: 03-1234567</p></body></html>"
        ),
    ),
)

_add(
    "otp_hindi",
    "otp",
    "447120",
    _build(
        "आपका सत्यापन कोड",
        text=(
            "नमस्ते,\n\nआपका सत्यापन कोड है: 447120\n\n"
            "यह कोड 10 मिनट में समाप्त हो जाएगा। किसी के साथ साझा न करें।\n"
            "ग्राहक सेवा: 1800-123-4567\n"
        ),
    ),
)

_add(
    "otp_thai_with_ref",
    "otp",
    "530981",
    _build(
        "รหัส OTP",
        text=(
            "รหัส OTP ของคุณคือ 530981 (รหัสอ้างอิง: XKQZ)\nรหัสจะหมดอายุภายใน 5 นาที ยอดเงิน 2,500.00 บาท\n"
        ),
    ),
)

_add(
    "otp_vietnamese",
    "otp",
    "274610",
    _build(
        "Mã xác minh",
        text=(
            "Xin chào,\n\nMã xác minh của bạn là 274610. Mã có hiệu lực trong 10 phút.\n"
            "Hotline: 1900 6035\n"
        ),
    ),
)

_add(
    "otp_indonesian",
    "otp",
    "815503",
    _build(
        "Kode verifikasi",
        text=(
            "Kode verifikasi Anda adalah 815503. Jangan berikan kode ini kepada siapa pun.\n"
            "Berlaku selama 5 menit. Pesanan 20261123-77.\n"
        ),
    ),
)

_add(
    "otp_swedish",
    "otp",
    "662190",
    _build(
        "Din verifieringskod",
        text="Hej!\n\nDin verifieringskod är 662190. Koden gäller i 15 minuter.\n\nOrg.nr 556677-8899\n",
    ),
)

_add(
    "otp_czech",
    "otp",
    "300817",
    _build(
        "Ověřovací kód",
        text="Dobrý den,\n\nváš ověřovací kód je 300817. Platnost vyprší za 10 minut.\nIČO: 27082440\n",
    ),
)

_add(
    "otp_ukrainian",
    "otp",
    "925736",
    _build(
        "Код підтвердження",
        html=_page(
            "<p>Вітаємо!</p><p>Ваш код підтвердження: <b>925736</b></p>"
            "<p>Код дійсний протягом 5 хвилин. Гаряча лінія: 0 800 503 500.</p>"
        ),
    ),
)

_add(
    "otp_german_html_only",
    "otp",
    "118530",
    _build(
        "Ihr Bestätigungscode",
        html=_page(
            "<p>Hallo,</p><p>Ihr Bestätigungscode lautet:</p>"
            '<p style="font-size:26px"><b>118530</b></p>'
            "<p>Bestellnummer 4500123987 vom 23.11.2026.</p>"
        ),
    ),
)

_add(
    "otp_japanese",
    "otp",
    "604771",
    _build(
        "認証コード",
        text="認証コード：604771\n\nこのコードの有効期限は10分です。\nお問い合わせ: 03-1234-5678\n",
    ),
)

_add(
    "otp_spanish_no_space_colon",
    "otp",
    "219384",
    _build(
        "Tu código",
        text="Tu código de verificación es:219384\nVálido por 10 minutos. Pedido nº 884213.\n",
    ),
)

# ---------------------------------------------------------------------------------------------
# none emails
# ---------------------------------------------------------------------------------------------

_add(
    "none_signin_alert",
    "none",
    None,
    _build(
        "New sign-in to your account",
        text=(
            "New sign-in from Chrome on Windows\n\n"
            "IP address: 192.168.1.15\nTime: 14:32, 23 Nov 2026\nLocation: Lyon, France\n\n"
            "If this was you, you can ignore this email. If not, secure your account:\n"
            "https://acme.example/security/checkup\n"
        ),
    ),
)

_add(
    "none_authenticator_prompt",
    "none",
    None,
    _build(
        "Two-factor authentication enabled",
        text=(
            "Two-factor authentication is now on.\n\n"
            "Next time you sign in, enter the code from your authenticator app "
            "(Google Authenticator, 1Password, Authy).\n"
            "Changed on 23/11/2026 at 14:32 from 198.51.100.7.\n"
        ),
    ),
)

_add(
    "none_order_confirmation",
    "none",
    None,
    _build(
        "Order confirmation #482913",
        html=_page(
            "<h2>Thanks for your order!</h2><p>Order number: <b>482913</b></p>"
            "<table><tr><td>Subtotal</td><td>$54.99</td></tr><tr><td>Shipping</td><td>$5.00</td>"
            "</tr><tr><td>Total</td><td>$59.99</td></tr></table>"
            '<p><a href="https://shop.acme.example/orders/482913">View your order</a></p>'
        ),
    ),
)

_add(
    "none_receipt_confirmation_number",
    "none",
    None,
    _build(
        "Payment received",
        text=(
            "We received your payment of $1,020.00.\nConfirmation number: 7731-2290\n"
            "Date: 11/23/2026\nCard: Visa ending 4821\n"
        ),
    ),
)

_add(
    "none_password_changed",
    "none",
    None,
    _build(
        "Your password was changed",
        html=_page(
            "<p>The password for dana@example.com was changed on Nov 23, 2026 at 14:32 UTC.</p>"
            "<p>Didn't make this change? "
            '<a href="https://acme.example/security/lock?uid=88213&amp;t=8f3a2c1e">'
            "Secure your account</a></p>"
        ),
    ),
)

_add(
    "none_coupon_newsletter",
    "none",
    None,
    _build(
        "20% off this weekend only",
        text=(
            "Use code SAVE20 at checkout, or WELCOME15 if it's your first order.\n"
            "Offer ends 30/11/2026. Shop now: https://shop.acme.example/sale\n"
            "Unsubscribe: https://shop.acme.example/unsubscribe?u=99281\n"
        ),
    ),
)

_add(
    "none_expired_code",
    "none",
    None,
    _build(
        "Your code has expired",
        text=(
            "The verification code 118274 sent at 14:02 has expired.\n"
            "Please go back to the app and request a new one.\n"
        ),
    ),
)

_add(
    "none_shipping_tracking",
    "none",
    None,
    _build(
        "Your package is on the way",
        text=(
            "Tracking number: 1Z999AA10123456784\nEstimated delivery: Nov 26, 2026\n"
            "Track your package: https://track.acme.example/1Z999AA10123456784\n"
        ),
    ),
)

_add(
    "none_login_alert_html",
    "none",
    None,
    _build(
        "Security alert",
        html=_page(
            "<h2>New device signed in</h2><table>"
            "<tr><td>Device</td><td>iPhone 15, iOS 18.1</td></tr>"
            "<tr><td>Location</td><td>Berlin, Germany (approximate)</td></tr>"
            "<tr><td>IP</td><td>203.0.113.42</td></tr>"
            "<tr><td>Time</td><td>2026-11-23 14:32 UTC</td></tr></table>"
            '<p><a href="https://acme.example/account/devices">Review devices</a></p>'
        ),
    ),
)

_add(
    "none_already_verified_welcome",
    "none",
    None,
    _build(
        "Your email has been verified",
        text=(
            "Thanks! Your email address has been verified.\n"
            "Go to your dashboard: https://app.acme.example/dashboard\n"
        ),
    ),
)

_add(
    "none_subscription_renewal",
    "none",
    None,
    _build(
        "Your subscription renews soon",
        text=(
            "Your Pro plan renews on 12/01/2026 for $9.99.\nInvoice INV-204518\n"
            "Manage billing: https://acme.example/billing\n"
        ),
    ),
)

_add(
    "none_2fa_disabled",
    "none",
    None,
    _build(
        "Two-factor authentication disabled",
        text=(
            "Two-step verification was turned off for your account on 23 Nov 2026, 14:32.\n"
            "Verification codes will no longer be required at sign-in.\n"
            "If this wasn't you, contact support at +1 800 555 0199.\n"
        ),
    ),
)

_add(
    "none_unsubscribe_confirm_only",
    "none",
    None,
    _build(
        "Confirm unsubscribe",
        html=_page(
            "<p>We're sorry to see you go. Click below to confirm that you want to stop "
            "receiving our newsletter.</p>"
            '<p><a href="https://news.acme.example/unsubscribe/confirm?verify=3f9a2b&amp;list=12">'
            "Confirm unsubscribe</a></p>"
        ),
    ),
    note="confirming an unsubscribe is not a verification",
)

_add(
    "none_statement_available",
    "none",
    None,
    _build(
        "Your November statement is ready",
        text=(
            "Your statement for account ending 4821 is ready.\nBalance: $2,318.44\n"
            "Due date: 12/15/2026\nMinimum payment: $35.00\n"
        ),
    ),
)

_add(
    "none_meeting_reminder",
    "none",
    None,
    _build(
        "Reminder: Weekly sync at 14:30",
        text=(
            "Weekly sync starts at 14:30 CET on 24 Nov 2026.\nRoom 4.02, building B.\n"
            "Dial-in: +49 30 1234 5678, ext. 8812\n"
        ),
    ),
)

_add(
    "none_recovery_codes_used",
    "none",
    None,
    _build(
        "A recovery code was used",
        text=(
            "A recovery code was used to sign in to your account on Nov 23, 2026 14:32 UTC.\n"
            "You have 7 recovery codes left. Generate new codes in Settings > Security.\n"
        ),
    ),
)

# ---------------------------------------------------------------------------------------------
# Magic links
# ---------------------------------------------------------------------------------------------

_REAL1 = (
    "https://app.acme.example/auth/verify?token=q8Zr4kPz1VbX2mNfT7yLc0Hs&email=dana%40example.com"
)
_TRK1 = (
    "https://click.mail.acme.example/ls/click?upn=u001.Xk2b9Qv-2BpR7zLmT4nYc8W-3D-3D_"
    "Hh3kLm9PqRsT1vWx"
)
_add(
    "ml_tracker_button_plus_plain_url",
    "magic_link",
    _TRK1,
    _build(
        "Verify your email address",
        html=_page(
            "<p>Please verify your email address to activate your account.</p>"
            f'<p><a href="{_TRK1}" style="background:#2d6cdf;color:#fff;padding:12px 24px">'
            "Verify</a></p>"
            "<p>Or copy and paste this URL into your browser:<br>"
            f'<span style="color:#2d6cdf">{_REAL1.replace("&", "&amp;")}</span></p>'
        ),
    ),
    target=_REAL1,
)

_FRAG = (
    "https://app.acme.example/auth/callback#access_token="
    + _JWT
    + "&expires_in=3600&refresh_token=Yx7Kq2mZp&token_type=bearer&type=magiclink"
)
_add(
    "ml_fragment_token_jwt",
    "magic_link",
    _FRAG,
    _build(
        "Your Magic Link",
        html=_page(
            "<h2>Magic Link</h2><p>Follow this link to login:</p>"
            f'<p><a href="{_FRAG.replace("&", "&amp;")}">Log In</a></p>'
        ),
    ),
)

_JWTURL = (
    "https://auth.acme.example/v1/verify?token="
    + _JWT
    + "&redirect_to=https%3A%2F%2Fapp.acme.example%2F"
)
_add(
    "ml_long_jwt_plain_qp",
    "magic_link",
    _JWTURL,
    _build(
        "Confirm your signup",
        text=f"Confirm your signup\n\nFollow this link to confirm your user:\n{_JWTURL}\n",
        text_cte="quoted-printable",
    ),
    note="python's QP encoder soft-breaks the long URL",
)

_SIGNIN = "https://acme.example/login/magic?token=7e1d5a0c9b3f4e2a8d6c&uid=5521"
_add(
    "ml_unsubscribe_verify_in_footer",
    "magic_link",
    _SIGNIN,
    _build(
        "Sign in to Acme",
        html=_page(
            f'<p>Click the button to sign in.</p><p><a href="{_SIGNIN.replace("&", "&amp;")}">'
            "Sign in</a></p><p>This link expires in 15 minutes.</p>",
            footer=(
                "You received this because you have an Acme account. "
                '<a href="https://acme.example/email/unsubscribe/confirm?verify=88ad1f&amp;u=5521">'
                "Confirm unsubscribe</a> | "
                '<a href="https://acme.example/email/preferences?verify_email=1">Email preferences</a>'
            ),
        ),
        extra={
            "List-Unsubscribe": "<https://acme.example/email/unsubscribe/confirm?verify=88ad1f&u=5521>"
        },
    ),
)

_OPTIN = "https://lists.acme.example/subscribe/confirm?u=3f0c9a8b7e&id=1a2b3c4d5e&e=9f8e7d6c5b"
_add(
    "ml_double_optin",
    "magic_link",
    _OPTIN,
    _build(
        "Please confirm your subscription",
        html=_page(
            "<h2>Please confirm your subscription</h2>"
            "<p>To receive the Acme Weekly newsletter, please confirm your subscription:</p>"
            f'<p><a href="{_OPTIN.replace("&", "&amp;")}">Yes, subscribe me to this list.</a></p>'
            "<p>If you received this email by mistake, simply delete it. You won't be "
            "subscribed if you don't click the confirmation link above.</p>"
        ),
    ),
)

_RESET = "https://acme.example/password/reset?token=c2a9f1e07b4d&email=dana%40example.com"
_add(
    "ml_reset_vs_secure_account",
    "magic_link",
    _RESET,
    _build(
        "Reset your password",
        text=(
            "We received a request to reset the password for your account.\n\n"
            f"Reset your password: {_RESET}\n\n"
            "Didn't request this? Secure your account:\n"
            "https://acme.example/security/lock?token=f00d1e55ba11&email=dana%40example.com\n"
        ),
        html=_page(
            "<p>We received a request to reset the password for your account.</p>"
            f'<p><a href="{_RESET.replace("&", "&amp;")}">Reset password</a></p>'
            "<p>Didn't request this? "
            '<a href="https://acme.example/security/lock?token=f00d1e55ba11&amp;email=dana%40example.com">'
            "Secure your account</a></p>"
        ),
    ),
)

# format=flowed, DelSp=yes: a long URL soft-broken with a deletable space.
_FLOWED = (
    "https://acme.example/account/confirm-email?token=Zk3mP9qR2sT8vW1xY4zA7bC0dE5fG6hJ&lang=en"
)
_FLOWED_BODY = (
    "Hi,\r\n\r\nPlease confirm your email by opening this link:\r\n"
    "https://acme.example/account/confirm-email?token=Zk3mP9qR2sT8vW1xY4zA7 \r\n"
    "bC0dE5fG6hJ&lang=en\r\n\r\nThanks,\r\nAcme\r\n"
)
_add(
    "ml_format_flowed_delsp",
    "magic_link",
    _FLOWED,
    (
        "From: Acme <no-reply@acme.example>\r\nTo: agent-7f3k@inbox.waypost.example\r\n"
        f"Subject: Confirm your email\r\nDate: {_DATE}\r\nMessage-ID: <flowed1@acme.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"; format=flowed; delsp=yes\r\n'
        "Content-Transfer-Encoding: 7bit\r\n\r\n" + _FLOWED_BODY
    ).encode(),
)

_QPURL = (
    "https://acme.example/verify-email?id=8812&token=aB3dE6gH9jK2mN5pQ8sT1vX4zA7cF0hL&next=%2Fhome"
)
_QP_BODY = (
    "Verify your email address by clicking the link below:\r\n\r\n"
    "https://acme.example/verify-email?id=3D8812&token=3DaB3dE6gH9jK2mN5pQ8=\r\n"
    "sT1vX4zA7cF0hL&next=3D%2Fhome\r\n\r\n"
    "This link expires in 24 hours.\r\n"
)
_add(
    "ml_qp_softbreak_inside_url",
    "magic_link",
    _QPURL,
    (
        "From: Acme <no-reply@acme.example>\r\nTo: agent-7f3k@inbox.waypost.example\r\n"
        f"Subject: Verify your email\r\nDate: {_DATE}\r\nMessage-ID: <qp1@acme.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + _QP_BODY
    ).encode(),
)

_QPH = "https://acme.example/activate?user=dana&key=4f9c2e7a1b8d3f6e0a5c9b2d7e4f1a8c&src=email"
_QPH_BODY = (
    '<html><body><p>Welcome! Activate your account:</p><p><a href=3D"https://acme=\r\n'
    ".example/activate?user=3Ddana&amp;key=3D4f9c2e7a1b8d3f6e0a5c9b2d7e4f1a8c&amp;=\r\n"
    'src=3Demail" style=3D"color:#fff">Activate account</a></p>\r\n'
    '<p><a href=3D"https://acme.example/unsubscribe">Unsubscribe</a></p></body></html>\r\n'
)
_add(
    "ml_qp_html_href_split",
    "magic_link",
    _QPH,
    (
        "From: Acme <no-reply@acme.example>\r\nTo: agent-7f3k@inbox.waypost.example\r\n"
        f"Subject: Activate your account\r\nDate: {_DATE}\r\nMessage-ID: <qp2@acme.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + _QPH_BODY
    ).encode(),
)

_PUNCT = "https://acme.example/e/verify?t=Wn4kQ8zP2r"
_add(
    "ml_plain_url_sentence_period",
    "magic_link",
    _PUNCT,
    _build(
        "Verify your address",
        text=f"Hi,\n\nTo verify your address, click here: {_PUNCT}.\nThe link expires in 1 hour.\n",
    ),
)

_PAREN = "https://acme.example/confirm?c=Hq72Lmx0"
_add(
    "ml_plain_url_in_parentheses",
    "magic_link",
    _PAREN,
    _build(
        "Confirm your account",
        text=f"Confirm your account (open {_PAREN}) within 48 hours.\n",
    ),
)

_ANGLE = "https://acme.example/login/token/9d8c7b6a5f4e3d2c1b0a"
_add(
    "ml_plain_url_angle_brackets",
    "magic_link",
    _ANGLE,
    _build(
        "Log in to Acme",
        text=f"Log in to Acme by visiting <{_ANGLE}>.\n\nIf you didn't ask for this, ignore it.\n",
    ),
)

_MULTI = "https://app.acme.example/session/new?magic=Rt5yU8iO1pA4sD7fG0hJ"
_add(
    "ml_many_links",
    "magic_link",
    _MULTI,
    _build(
        "Your sign-in link",
        html=(
            '<html><body><p><a href="https://acme.example/view-in-browser?id=77aa">View this email '
            "in your browser</a></p>"
            '<p><a href="https://acme.example/"><img src="https://cdn.acme.example/logo.png" alt="Acme"></a></p>'
            "<p>Hi Dana, here's the link you requested to sign in.</p>"
            f'<p><a href="{_MULTI}" class="button">Sign in to Acme</a></p>'
            '<p>Need help? Visit <a href="https://help.acme.example/login">our help center</a> or '
            '<a href="mailto:support@acme.example">email us</a> or call '
            '<a href="tel:+18005550199">+1 800 555 0199</a>.</p>'
            '<p><a href="https://twitter.com/acme">Twitter</a> <a href="https://acme.example/blog">Blog</a> '
            '<a href="https://acme.example/unsubscribe?u=1">Unsubscribe</a></p></body></html>'
        ),
    ),
)

_GURL_INNER = "https://acme.example/verify?token=LkJ8hG6fD4sA2qW0eR9t"
_GURL = "https://links.acme.example/c/redirect?url=https%3A%2F%2Facme.example%2Fverify%3Ftoken%3DLkJ8hG6fD4sA2qW0eR9t&sig=a1b2"
_add(
    "ml_tracker_only_with_url_param",
    "magic_link",
    _GURL,
    _build(
        "Verify your email",
        html=_page(
            "<p>Almost done! Verify your email to start using Acme.</p>"
            f'<p><a href="{_GURL.replace("&", "&amp;")}"><img src="https://cdn.acme.example/btn-verify.png" '
            'alt="Verify email address" width="200"></a></p>'
        ),
    ),
    target=_GURL_INNER,
)

_BOTH = "https://acme.example/m/4Fq9Zr2Lp8"
_add(
    "ml_link_and_code",
    "magic_link",
    _BOTH,
    _build(
        "Sign in to Acme",
        text=f"Click to sign in: {_BOTH}\n\nOr enter this code: 482913\n",
        html=_page(f'<p><a href="{_BOTH}">Sign in</a></p><p>Or enter this code: <b>482913</b></p>'),
    ),
)

_INV = "https://acme.example/invite/accept?invitation=inv_8d7f6a5e4c3b&workspace=design-team"
_add(
    "ml_invitation_accept",
    "magic_link",
    _INV,
    _build(
        "Dana invited you to join design-team on Acme",
        html=_page(
            "<p>Dana Scully has invited you to collaborate in the <b>design-team</b> workspace.</p>"
            f'<p><a href="{_INV.replace("&", "&amp;")}">Accept invitation</a></p>'
            '<p>Learn more about Acme at <a href="https://acme.example/about">acme.example</a>.</p>'
        ),
    ),
)

_EMAILCH = "https://acme.example/settings/email/confirm?token=ec_77f1a0b9c8"
_add(
    "ml_email_change_vs_cancel",
    "magic_link",
    _EMAILCH,
    _build(
        "Confirm your new email address",
        text=(
            "You asked to change your email to dana.new@example.com.\n\n"
            f"Confirm the change: {_EMAILCH}\n\n"
            "If you didn't request this, cancel it here: "
            "https://acme.example/settings/email/cancel?token=ec_77f1a0b9c8\n"
        ),
    ),
)

_DE = "https://konto.acme.example/bestaetigen?schluessel=7Gh2Kd9Lq4Wm"
_add(
    "ml_german",
    "magic_link",
    _DE,
    _build(
        "Bitte bestätigen Sie Ihre E-Mail-Adresse",
        html=_page(
            "<p>Hallo,</p><p>bitte bestätigen Sie Ihre E-Mail-Adresse:</p>"
            f'<p><a href="{_DE}">E-Mail-Adresse bestätigen</a></p>'
            '<p><a href="https://konto.acme.example/abmelden">Abmelden</a> | '
            '<a href="https://konto.acme.example/impressum">Impressum</a></p>'
        ),
    ),
)

_CS = "https://ucet.acme.example/overeni?kod=Pq8Rs3Tu6Vw"
_add(
    "ml_czech",
    "magic_link",
    _CS,
    _build(
        "Ověřte svůj e-mail",
        text=f"Dobrý den,\n\npro ověření e-mailu klikněte na odkaz:\n{_CS}\n\nOdkaz platí 24 hodin.\n",
    ),
)

_EL = "https://acme.example/el/epivevaiosi?t=Xy12Zw34"
_add(
    "ml_greek",
    "magic_link",
    _EL,
    _build(
        "Επιβεβαίωση email",
        html=_page(
            f'<p>Επιβεβαιώστε τη διεύθυνση email σας:</p><p><a href="{_EL}">Επιβεβαίωση</a></p>'
        ),
    ),
)

_ENT = "https://acme.example/auth/confirm?email=dana%40example.com&token=Tk9&redirect=%2Fwelcome&lang=en"
_add(
    "ml_entities_in_href",
    "magic_link",
    _ENT,
    _build(
        "Confirm your email",
        html=_page(
            "<p>Confirm your email address:</p>"
            f'<p><a href="{_ENT.replace("&", "&#38;")}">Confirm email</a></p>'
        ),
    ),
)

_VIEW_FIRST = "https://acme.example/account/verify/Ua8Ib7Oc6Pd5"
_add(
    "ml_view_in_browser_first",
    "magic_link",
    _VIEW_FIRST,
    _build(
        "Verify your account",
        html=(
            '<html><body><p style="font-size:11px"><a href="https://acme.example/email/view?id=verify-'
            '2026-11&amp;h=9a">Having trouble viewing this email to verify? View it in your browser</a></p>'
            "<h1>Verify your account</h1><p>Tap the button below to verify your account.</p>"
            f'<p><a href="{_VIEW_FIRST}">Verify account</a></p></body></html>'
        ),
    ),
)

_CODEQ = "https://acme.example/verify?code=482913&email=dana%40example.com"
_add(
    "ml_code_in_query",
    "magic_link",
    _CODEQ,
    _build(
        "Verify your email",
        text=f"Verify your email by opening the link below:\n\n{_CODEQ}\n\nExpires in 24 hours.\n",
    ),
)

_LONGHTMLTXT = "https://acme.example/magic-login?token=" + _JWT
_add(
    "ml_jwt_html_and_text",
    "magic_link",
    _LONGHTMLTXT,
    _build(
        "Log in to Acme",
        text=f"Log in to Acme:\n{_LONGHTMLTXT}\n\nThis link can only be used once.\n",
        html=_page(
            f'<p><a href="{_LONGHTMLTXT}" target="_blank">Log in</a></p>'
            "<p>This link can only be used once.</p>"
        ),
        html_cte="quoted-printable",
        text_cte="quoted-printable",
    ),
)

_TRK2_REAL = "https://acme.example/confirm-email/6b2f9c1d0e"
_TRK2 = "https://u1234567.ct.sendgrid.net/ls/click?upn=Wq3e-2BR7t-2FY9u8I_Qaz1Wsx2Edc"
_add(
    "ml_sendgrid_tracker_and_plain_text_part",
    "magic_link",
    _TRK2,
    _build(
        "Confirm your email",
        text=f"Confirm your email:\n\n{_TRK2_REAL}\n\nUnsubscribe: https://acme.example/unsub\n",
        html=_page(f'<p><a href="{_TRK2}">Confirm email</a></p>'),
    ),
    target=_TRK2_REAL,
)

_VERIFY_ID = "https://acme.example/users/verify_email/MjQ1OQ/c3r7a1-6f2b9e8d0c4a1b5f7e3d"
_add(
    "ml_django_style_with_footer_links",
    "magic_link",
    _VERIFY_ID,
    _build(
        "[Acme] Please Confirm Your Email Address",
        text=(
            "Hello from Acme!\n\n"
            "You're receiving this email because user dana has given your email address to "
            "register an account on acme.example.\n\n"
            f"To confirm this is correct, go to {_VERIFY_ID}\n\n"
            "Thank you for using Acme!\nacme.example\n"
            "Privacy policy: https://acme.example/privacy?confirm=1\n"
        ),
    ),
)

_RESET2 = "https://acme.example/reset/MjQ1OQ/c3r7a1-0b1c2d3e4f5a6b7c8d9e"
_add(
    "ml_reset_with_help_and_secure",
    "magic_link",
    _RESET2,
    _build(
        "Password reset",
        html=_page(
            "<p>Someone requested a password reset for your account (IP 203.0.113.9, 14:32).</p>"
            f'<p><a href="{_RESET2}">Choose a new password</a></p>'
            "<p>If you didn't request a reset, "
            '<a href="https://acme.example/account/secure?reason=reset-not-requested">'
            "click here to secure your account</a> and "
            '<a href="https://acme.example/account/verify-identity">verify your identity</a>.</p>'
        ),
    ),
)

_SLACKISH = "https://acme.example/z-app-4815-162342/magic?token=Mg7Nh8Oi9Pj0"
_add(
    "ml_confirm_then_unsubscribe_first_in_text",
    "magic_link",
    _SLACKISH,
    _build(
        "Confirm your email address",
        text=(
            "Not interested? Confirm unsubscribe here: https://acme.example/unsubscribe/confirm?e=d\n\n"
            f"Confirm your email address: {_SLACKISH}\n"
        ),
    ),
)

_BARE = "https://acme.example/v/Ab12Cd34Ef"
_add(
    "ml_button_label_is_the_url",
    "magic_link",
    _BARE,
    _build(
        "Verify",
        html=_page(f'<p>Verify your email:</p><p><a href="{_BARE}">{_BARE}</a></p>'),
    ),
)

_WWW = "https://www.acme.example/activate/Qz8Xw7Cv6Bn5"
_add(
    "ml_link_text_without_scheme",
    "magic_link",
    _WWW,
    _build(
        "Activate",
        html=_page(
            "<p>Activate your account:</p>"
            f'<p><a href="{_WWW}">www.acme.example/activate/Qz8Xw7Cv6Bn5</a></p>'
            "<p>Or visit www.acme.example/help</p>"
        ),
    ),
)

_IDN = "https://acme.example/auth/link?t=Rm4Pn7Qo0&amp=1"
_add(
    "ml_query_with_amp_param",
    "magic_link",
    _IDN,
    _build(
        "Sign in",
        html=_page(f'<p><a href="{_IDN.replace("&", "&amp;")}">Sign in</a></p>'),
    ),
)

_PORT = "http://localhost:4433/self-service/verification?flow=8c1e&token=R2d2C3po"
_add(
    "ml_localhost_port",
    "magic_link",
    _PORT,
    _build(
        "Please verify your email address",
        text=f"Hi, please verify your account by clicking the following link:\n\n{_PORT}\n",
    ),
)

_NONE_LINKS_MAIL = "none_newsletter_confirm_words"
_add(
    _NONE_LINKS_MAIL,
    "none",
    None,
    _build(
        "Weekly digest: 5 tips to confirm your ideas",
        html=_page(
            "<h2>This week</h2><p>How to verify an idea before building it.</p>"
            '<p><a href="https://blog.acme.example/verify-ideas?utm_campaign=digest">Read more</a></p>'
            '<p><a href="https://blog.acme.example/confirm-bias">Confirmation bias, explained</a></p>',
            footer='<a href="https://acme.example/unsubscribe?confirm=1">Unsubscribe</a>',
        ),
    ),
)

_add(
    "none_code_sent_to_phone",
    "none",
    None,
    _build(
        "We sent you a verification code",
        text=(
            "We sent a 6-digit verification code by SMS to your phone ending in 4821.\n"
            "Enter it in the app to continue. Didn't get it? Request a new code after 60 seconds.\n"
        ),
    ),
    note="the code is not in the email",
)

_add(
    "otp_digit_count_words",
    "otp",
    "502931",
    _build(
        "Your 6-digit code",
        text=(
            "Your 6-digit code is 502931. It expires in 10 minutes.\n"
            "You have 3 attempts left. Step 2 of 3.\n"
        ),
    ),
)

_add(
    "otp_seven_digits",
    "otp",
    "1234567",
    _build(
        "Microsoft account security code",
        text=(
            "Please use the following security code for the Microsoft account da***@example.com.\n\n"
            "Security code: 1234567\n\n"
            "If you don't recognize the Microsoft account da***@example.com, you can click "
            "https://account.live.com/dp?ft=abc to remove your email address from that account.\n"
        ),
    ),
)

_add(
    "otp_html_cell_order_total_larger",
    "otp",
    "860315",
    _build(
        "Confirm your order",
        html=_page(
            "<p>Your code is below.</p>"
            '<table><tr><td style="font-size:22px">Order 20261123</td>'
            '<td style="font-size:22px">Total: 1,299.00</td></tr></table>'
            "<p>Enter the code on the checkout page to complete your purchase.</p>"
            '<table><tr><td style="font-size:36px;font-weight:700">860315</td></tr></table>'
        ),
    ),
)

_add(
    "otp_quoted_reply_above",
    "otp",
    "207184",
    _build(
        "Re: account verification",
        text=(
            "Hi Dana, as requested here is a fresh code: 207184\n\n"
            "-- \nAcme Support, ticket #448812\n\n"
            "-----Original Message-----\nFrom: Dana\nSent: 23 November 2026 14:02\n"
            "Subject: account verification\n\nThe code 993105 you sent me didn't work.\n"
        ),
    ),
)

# second batch -------------------------------------------------------------------------------

_add(
    "none_discount_numeric_code",
    "none",
    None,
    _build(
        "A little thank-you inside",
        text=(
            "Thanks for being a customer! Here's your discount code: 748291\n"
            "Use it at checkout for 15% off your next order. Valid until 31/12/2026.\n"
        ),
    ),
)

_add(
    "none_gift_card",
    "none",
    None,
    _build(
        "You received a gift card",
        text=(
            "Dana sent you a $50 gift card!\n\nGift card code: 4829-1375-8812\nPIN: 3391\n"
            "Redeem at https://shop.acme.example/redeem\n"
        ),
    ),
)

_add(
    "none_verification_complete_reference",
    "none",
    None,
    _build(
        "Identity verification complete",
        text=(
            "Your identity verification is complete. No further action is needed.\n"
            "Reference: 482913\nCompleted: 23 Nov 2026, 14:32\n"
        ),
    ),
)

_add(
    "none_new_message_notification",
    "none",
    None,
    _build(
        "Dana sent you a message",
        html=_page(
            "<p><b>Dana Scully</b> sent you a message:</p>"
            "<blockquote>Can you confirm the meeting for Thursday at 10?</blockquote>"
            '<p><a href="https://app.acme.example/messages/t/88123?token=mx_9f8e7d">View message</a></p>'
        ),
    ),
)

_add(
    "none_export_ready_token_link",
    "none",
    None,
    _build(
        "Your data export is ready",
        text=(
            "The data export you requested on 23 Nov 2026 is ready.\n"
            "Download (expires in 7 days): "
            "https://acme.example/exports/download?id=exp_2231&token=d0wnl0adT0k3n\n"
        ),
    ),
)

_add(
    "otp_hebrew_code_first",
    "otp",
    "482913",
    _build(
        "קוד אימות",
        text="482913 הוא קוד האימות שלך.\nאין למסור את הקוד לאף אחד. טלפון: 03-1234567\n",
    ),
)

_add(
    "otp_pairs_spaced",
    "otp",
    "482913",
    _build(
        "Verification code",
        text="Your verification code is 48 29 13\nIt expires in 10 minutes.\n",
    ),
)

_add(
    "otp_indonesian_bank_amount",
    "otp",
    "190284",
    _build(
        "Kode OTP transaksi",
        text=(
            "JANGAN BERIKAN KODE INI KEPADA SIAPAPUN.\n"
            "Kode OTP Anda 190284 untuk transaksi Rp 1.500.000 ke rekening 0123456789.\n"
            "Berlaku 3 menit.\n"
        ),
    ),
)

_add(
    "otp_zip_code_in_footer",
    "otp",
    "650372",
    _build(
        "Your verification code",
        text=(
            "Your verification code is 650372.\n\n"
            "Acme Inc., Postal code 94105, San Francisco\nReply STOP to 788788 to opt out.\n"
        ),
    ),
)

_add(
    "otp_expiry_time_after",
    "otp",
    "417790",
    _build(
        "Sign-in code",
        text="Your sign-in code: 417790 (valid until 14:45 UTC)\nRequest 7781 from 10.0.0.8\n",
    ),
)

_HREFWS = "https://acme.example/verify/8Kq2Lm9Np4"
_add(
    "ml_href_whitespace",
    "magic_link",
    _HREFWS,
    _build(
        "Verify your email",
        html=_page(
            "<p>Verify your email address:</p>"
            f'<p><a href="\n            {_HREFWS}\n          " target="_blank">Verify email</a></p>'
        ),
    ),
)

_NOTION = "https://acme.example/loginwithemail?token=Ln8Kw2Pz5Qr&state=Xy7"
_add(
    "ml_notion_style_with_code",
    "magic_link",
    _NOTION,
    _build(
        "Your Acme login code is 482-913",
        html=_page(
            f'<p><a href="{_NOTION.replace("&", "&amp;")}">Click here to log in with this magic link</a></p>'
            "<p>Or, copy and paste this temporary login code:</p><p><code>482913</code></p>"
        ),
    ),
)

_TEXTONLY_TRK = "https://email.acme.example/c/eJxNkE1uwzAIhE8T7_xjYjvOwotuegGu"
_TEXTONLY_REAL = "https://acme.example/verify?token=Tq9Wn3"
_add(
    "ml_text_part_tracker_html_real",
    "magic_link",
    _TEXTONLY_REAL,
    _build(
        "Verify your email",
        text=f"Verify your email: {_TEXTONLY_TRK}\n",
        html=_page(f'<p><a href="{_TEXTONLY_REAL}">Verify email</a></p>'),
    ),
    target=_TEXTONLY_TRK,
)

_SPANISH = "https://cuenta.acme.example/confirmar?token=Es5Pa9Nol"
_add(
    "ml_spanish_with_unsubscribe_confirm",
    "magic_link",
    _SPANISH,
    _build(
        "Confirma tu correo electrónico",
        html=_page(
            "<p>Confirma tu dirección de correo electrónico:</p>"
            f'<p><a href="{_SPANISH}">Confirmar correo</a></p>',
            footer='<a href="https://cuenta.acme.example/baja/confirmar?e=1">Confirmar baja</a>',
        ),
    ),
)
