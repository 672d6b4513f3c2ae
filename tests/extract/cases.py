"""Hand-written, realistic verification (and non-verification) emails for engine tests."""

from __future__ import annotations

from dataclasses import dataclass

from waypost.extract import MailContent


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # otp | magic_link | none
    expected: str | None
    content: MailContent
    accept: tuple[str, ...] = ()  # other acceptable values (e.g. tracker target)


FOOTER = (
    '<tr><td style="color:#8a8a8a;font-size:12px;padding:24px">'
    "© 2024 {brand}, Inc. · 548 Market St, Suite 300, San Francisco, CA 94104<br>"
    '<a href="https://{domain}/legal/privacy">Privacy Policy</a> · '
    '<a href="https://{domain}/legal/terms">Terms</a> · '
    '<a href="https://{domain}/unsubscribe?u=8f2a91c0e4">Unsubscribe</a> · '
    '<a href="https://twitter.com/{brand}"><img src="https://cdn.{domain}/tw.png" alt="Twitter">'
    "</a></td></tr>"
)


def page(body: str, brand: str = "Acme", domain: str = "acme.com", preheader: str = "") -> str:
    """Wrap body rows in a typical responsive email template."""
    pre = (
        f'<div style="display:none;max-height:0;overflow:hidden">{preheader}</div>'
        if preheader
        else ""
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
        f"{brand}</title><style>td{{font-family:Helvetica}} .x{{color:#123456}}</style></head>"
        f'<body style="margin:0">{pre}<table width="100%" cellpadding="0"><tr><td align="center">'
        '<table width="600"><tr><td><a href="https://'
        f'{domain}/"><img src="https://cdn.{domain}/logo.png" alt="{brand}" width="120"></a>'
        f"</td></tr>{body}"
        + FOOTER.format(brand=brand, domain=domain)
        + "</table></td></tr></table></body></html>"
    )


def mc(
    subject: str = "",
    text: str | None = None,
    html: str | None = None,
    sender: str = "Acme <no-reply@acme.com>",
) -> MailContent:
    return MailContent(subject=subject, sender=sender, text=text, html=html)


OTP_CASES: list[Case] = [
    Case(
        "github_device",
        "otp",
        "482913",
        mc(
            "[GitHub] Please verify your device",
            text="Hey octocat!\n\nA sign in attempt requires further verification because we did "
            "not recognize your device. To complete the sign in, enter the verification code on "
            "the unrecognized device.\n\nDevice: Chrome on macOS\nVerification code: 482913\n\n"
            "If you did not attempt to sign in to your account, your password may be compromised."
            " Visit https://github.com/settings/security to create a new, strong password.\n\n"
            "Thanks,\nThe GitHub Team\n\nGitHub, Inc. ・88 Colin P Kelly Jr Street ・San Francisco,"
            " CA 94107",
            sender="GitHub <noreply@github.com>",
        ),
    ),
    Case(
        "slack_dash",
        "otp",
        "371942",
        mc(
            "Slack confirmation code: 371-942",
            html=page(
                "<tr><td><h1>Confirm your email address</h1><p>Your confirmation code is "
                "below — enter it in your open browser window and we'll help you get "
                'signed in.</p></td></tr><tr><td style="background:#f5f4f5;padding:30px;'
                'font-size:30px;letter-spacing:4px;text-align:center">371-942</td></tr>'
                "<tr><td>If you didn't request this email, there's nothing to worry "
                "about — you can safely ignore it.</td></tr>",
                "Slack",
                "slack.com",
            ),
            sender="Slack <no-reply@slack.com>",
        ),
    ),
    Case(
        "google_code",
        "otp",
        "583920",
        mc(
            "Google Verification Code",
            html=page(
                "<tr><td><p>Google</p><p>Verify your email</p><p>Google received a request"
                ' to use <a href="mailto:jane@example.com">jane@example.com</a> as a recovery'
                " email for Google Account j***@gmail.com.</p><p>Use this code to finish "
                'setting up this recovery email:</p><div style="font-size:36px;'
                'font-weight:bold">583920</div><p>This code will expire in 24 hours.</p>'
                "</td></tr>",
                "Google",
                "google.com",
            ),
            sender="Google <noreply@google.com>",
        ),
    ),
    Case(
        "microsoft_7",
        "otp",
        "8294716",
        mc(
            "Microsoft account security code",
            text="Microsoft account\nSecurity code\n\nPlease use the following security code for "
            "the Microsoft account ja*****@outlook.com.\n\nSecurity code: 8294716\n\nIf you don't "
            "recognize the Microsoft account ja*****@outlook.com, you can click "
            "https://account.live.com/dp?ft=abc123 to remove your email address from that "
            "account.\n\nThanks,\nThe Microsoft account team",
            sender="Microsoft <account-security-noreply@accountprotection.microsoft.com>",
        ),
    ),
    Case(
        "amazon_otp",
        "otp",
        "519283",
        mc(
            "Your Amazon one-time password",
            html=page(
                "<tr><td><h2>Verify your identity</h2><p>Your one-time password (OTP) is:"
                '</p></td></tr><tr><td style="font-size:22px;font-weight:bold">519283</td>'
                "</tr><tr><td><p>Don't share this OTP with anyone. It expires in 10 minutes."
                "</p><p>Order #112-4567890-1234567 questions? Call 1-888-280-4331.</p>"
                "</td></tr>",
                "Amazon",
                "amazon.com",
            ),
        ),
    ),
    Case(
        "stripe_spaced",
        "otp",
        "938201",
        mc(
            "Your Stripe verification code",
            text="Your Stripe verification code is:\n\n938 201\n\nThis code will expire in 10 "
            "minutes. If you didn't try to log in, reset your password at "
            "https://dashboard.stripe.com/reset.\n\nStripe, 510 Townsend Street, San Francisco, "
            "CA 94103",
        ),
    ),
    Case(
        "notion_alnum",
        "otp",
        "K7P2QX",
        mc(
            "Your Notion login code",
            text="Here is your temporary login code:\n\nK7P-2QX\n\nIt will expire in 5 minutes."
            "\n\nNotion Labs, Inc. 2300 Harrison St, San Francisco, CA 94110",
        ),
    ),
    Case(
        "de_bank",
        "otp",
        "639204",
        mc(
            "Ihr Bestätigungscode",
            text="Guten Tag,\n\nIhr Bestätigungscode lautet: 639 204\n\nDer Code ist 5 Minuten "
            "gültig. Bei Fragen erreichen Sie uns unter +49 30 1234560 (Mo–Fr 8–20 Uhr).\n\n"
            "Musterbank AG · Friedrichstraße 123 · 10117 Berlin · BLZ 100 100 10",
        ),
    ),
    Case(
        "fr_code",
        "otp",
        "402917",
        mc(
            "Votre code de vérification",
            html=page(
                "<tr><td><p>Bonjour,</p><p>Votre code de vérification est :</p>"
                '<p><strong style="font-size:24px">402 917</strong></p><p>Ce code expire '
                "dans 15 minutes.</p><p>Service client : 01 23 45 67 89 — 12 rue de la "
                "Paix, 75002 Paris</p></td></tr>",
                "Boutique",
                "boutique.fr",
            ),
        ),
    ),
    Case(
        "es_code",
        "otp",
        "850123",
        mc(
            "Código de verificación",
            text="Hola:\n\nTu código de verificación es 850123. Caduca en 15 minutos.\n\nSi no "
            "solicitaste este código, ignora este mensaje. Pedido nº 4567.\n\nCalle Mayor 10, "
            "28013 Madrid",
        ),
    ),
    Case(
        "pt_code",
        "otp",
        "774120",
        mc(
            "Seu código de verificação",
            html=page(
                '<tr><td><p>Olá!</p><p>Seu código de verificação é:</p><h1 style="'
                'letter-spacing:6px">774120</h1><p>Ele expira em 30 minutos.</p><p>Av. '
                "Paulista, 1578 - São Paulo - SP, 01310-200</p></td></tr>",
                "Loja",
                "loja.com.br",
            ),
        ),
    ),
    Case(
        "it_code",
        "otp",
        "518274",
        mc(
            "Codice di verifica",
            text="Ciao,\nil tuo codice di verifica è 518274.\nIl codice scade tra 10 minuti.\n\n"
            "Via Roma 12, 20121 Milano - P.IVA 01234567890",
        ),
    ),
    Case(
        "ja_code",
        "otp",
        "294817",
        mc(
            "【Example】認証コードのお知らせ",
            text="いつもご利用ありがとうございます。\n\n認証コード：294817\n\nこのコードの有効期限は"
            "10分です。\nお問い合わせ：03-1234-5678（平日10:00〜18:00）\n〒150-0002 東京都渋谷区",
        ),
    ),
    Case(
        "zh_code",
        "otp",
        "620481",
        mc(
            "验证码",
            text="您好！\n\n您的验证码是 620481，5分钟内有效。请勿泄露给他人。\n\n客服电话："
            "400-820-8820\n© 2024 示例公司",
        ),
    ),
    Case(
        "ko_code",
        "otp",
        "583021",
        mc(
            "[예시] 인증번호 안내",
            html=page(
                "<tr><td><p>안녕하세요.</p><p>요청하신 인증번호는 다음과 같습니다.</p>"
                '<p><b style="font-size:28px">583021</b></p><p>인증번호는 3분간 유효합니다.'
                "</p><p>고객센터 1588-1234</p></td></tr>",
                "Example",
                "example.kr",
            ),
        ),
    ),
    Case(
        "ru_code",
        "otp",
        "4821",
        mc(
            "Код подтверждения",
            text="Здравствуйте!\n\nВаш код подтверждения: 4821\n\nНикому не сообщайте этот код. "
            "Он действителен 10 минут.\n\nСлужба поддержки: 8 800 555-35-35",
        ),
    ),
    Case(
        "footer_year_zip",
        "otp",
        "305718",
        mc(
            "Your verification code",
            html=page(
                "<tr><td><p>Hi Sam,</p><p>Enter the following code to finish signing "
                'in:</p><p style="font-size:32px;letter-spacing:8px">305718</p><p>The '
                "code is valid for 10 minutes.</p></td></tr>"
            ),
        ),
    ),
    Case(
        "code_then_expiry_same_line",
        "otp",
        "739105",
        mc(
            "Sign in to Acme",
            text="Enter 739105 to sign in. This code expires in 15 minutes.\n\nAcme Inc., 100 Main "
            "Street, Springfield, IL 62701",
        ),
    ),
    Case(
        "digits_in_cells",
        "otp",
        "482913",
        mc(
            "Your code",
            html=page(
                "<tr><td><p>Your verification code:</p><table><tr>"
                + "".join(
                    f'<td style="font-size:28px;border:1px solid #ccc">{d}</td>' for d in "482913"
                )
                + "</tr></table></td></tr>"
            ),
        ),
    ),
    Case(
        "subject_only",
        "otp",
        "661203",
        mc(
            "661203 is your Acme verification code",
            text="Use the code in the subject line to verify your email address. It expires in "
            "10 minutes.\n\n© 2024 Acme",
        ),
    ),
    Case(
        "account_ending",
        "otp",
        "902613",
        mc(
            "Verify your payment",
            text="We noticed a payment attempt with your card ending in 4821.\n\nYour verification"
            " code is 902613.\n\nIf this wasn't you, call us at 1-800-555-0199.",
        ),
    ),
    Case(
        "reference_and_code",
        "otp",
        "553201",
        mc(
            "Your security code",
            text="Reference: 77812345\nDate: 03/14/2025\n\nSecurity code: 553201\n\nThis code "
            "expires at 14:35 UTC.",
        ),
    ),
    Case(
        "authy_token",
        "otp",
        "8209371",
        mc("Your Authy token", text="Your token is 8209371. It is valid for 20 seconds."),
    ),
    Case(
        "h1_code",
        "otp",
        "117045",
        mc(
            "Epic Games - Email Verification",
            html=page(
                "<tr><td><p>Hello,</p><p>Please use the code below to verify your email "
                'address.</p></td></tr><tr><td align="center"><h1 style="font-size:40px">'
                "117045</h1></td></tr><tr><td><p>This code will expire in 15 minutes.</p>"
                "<p>Order support: help@epicgames.com</p></td></tr>",
                "Epic Games",
                "epicgames.com",
            ),
        ),
    ),
    Case(
        "pin", "otp", "4407", mc("Your PIN", text="Your PIN is 4407. Do not share it with anyone.")
    ),
    Case(
        "letters_code",
        "otp",
        "KQXZTR",
        mc(
            "Your login code",
            text="Hello!\n\nYour login code is:\n\nKQXZTR\n\nEnter it in the app to continue.",
        ),
    ),
    Case(
        "preheader_and_body",
        "otp",
        "246810",
        mc(
            "Verify your email",
            html=page(
                "<tr><td><p>Thanks for signing up! Enter this code to verify your email:"
                '</p><p style="font-size:26px"><b>246810</b></p></td></tr>',
                preheader="Your code is 246810",
            ),
        ),
    ),
    Case(
        "otp_and_link",
        "otp",
        "380516",
        mc(
            "Your sign-in code",
            html=page(
                "<tr><td><p>Your sign-in code is <strong>380516</strong>.</p><p>Or click "
                '<a href="https://acme.com/login/magic?token=8fJ2kLq9ZxP0aB7cD3eF">this link'
                "</a> to sign in.</p></td></tr>"
            ),
        ),
    ),
    Case(
        "de_short_label",
        "otp",
        "123478",
        mc("Dein Anmeldecode", text="Hallo,\n\ndein Code: 123478\n\nViele Grüße"),
    ),
]

LINK_CASES: list[Case] = [
    Case(
        "slack_confirm",
        "magic_link",
        "https://slack.com/confirm/email/T02ABCD/9f8e7d6c5b4a39281706fedcba",
        mc(
            "Confirm your email address on Slack",
            html=page(
                "<tr><td><h1>Confirm your email address</h1><p>Click the button below"
                ' to confirm.</p><a href="https://slack.com/confirm/email/T02ABCD/'
                '9f8e7d6c5b4a39281706fedcba" style="background:#4a154b;color:#fff">'
                "Confirm Email Address</a></td></tr>",
                "Slack",
                "slack.com",
            ),
        ),
    ),
    Case(
        "notion_magic",
        "magic_link",
        "https://www.notion.so/loginwithemail?state=a8Xk2p9QmZ&token=v02%3Alogin%3A"
        "Hk83jdQ92lsPq0xZ",
        mc(
            "Your Notion login link",
            text="Click here to log in with this magic link:\nhttps://www.notion.so/"
            "loginwithemail?state=a8Xk2p9QmZ&token=v02%3Alogin%3AHk83jdQ92lsPq0xZ\n\nOr copy "
            "and paste this temporary login code: tiger-sunset\n\nNotion, 2300 Harrison St",
        ),
    ),
    Case(
        "sendgrid_unrecoverable",
        "magic_link",
        "https://u1234567.ct.sendgrid.net/ls/click?upn=u001.Xy7pQ2-2BabcDEF123ghiJKL456mno"
        "PQR-3D-3D_abc",
        mc(
            "Sign in to Medium",
            html=page(
                "<tr><td><p>Click below to sign in to Medium. This link will expire in"
                ' 15 minutes.</p><a href="https://u1234567.ct.sendgrid.net/ls/click?upn='
                'u001.Xy7pQ2-2BabcDEF123ghiJKL456mnoPQR-3D-3D_abc">Sign in to Medium</a>'
                "</td></tr>",
                "Medium",
                "medium.com",
            ),
        ),
    ),
    Case(
        "google_redirect",
        "magic_link",
        "https://app.example.com/verify?token=Zk82hQ0pLm3nX7",
        mc(
            "Verify your email",
            html=page(
                '<tr><td><p>Please verify your address.</p><a href="https://www.google'
                ".com/url?q=https://app.example.com/verify?token%3DZk82hQ0pLm3nX7&amp;sa"
                '=D&amp;source=editors">Verify email</a></td></tr>'
            ),
        ),
        accept=(
            "https://www.google.com/url?q=https://app.example.com/verify?token%3D"
            "Zk82hQ0pLm3nX7&sa=D&source=editors",
        ),
    ),
    Case(
        "base64_tracker",
        "magic_link",
        "https://auth.example.com/magic?token=Qw8zPl2xN4mK",
        mc(
            "Your sign-in link",
            html=page(
                '<tr><td><a href="https://click.mail.example.com/track?u=aHR0cHM6Ly9h'
                'dXRoLmV4YW1wbGUuY29tL21hZ2ljP3Rva2VuPVF3OHpQbDJ4TjRtSw&amp;id=77">Sign '
                "in to Example</a></td></tr>"
            ),
        ),
    ),
    Case(
        "safelinks",
        "magic_link",
        "https://auth.example.com/reset?token=9aKq2LmZ8xWp3R",
        mc(
            "Reset your password",
            html=page(
                '<tr><td><p>Someone requested a password reset.</p><a href="https:'
                "//eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fauth."
                "example.com%2Freset%3Ftoken%3D9aKq2LmZ8xWp3R&amp;data=05%7C01%7C&amp;"
                'reserved=0">Reset password</a></td></tr>'
            ),
        ),
    ),
    Case(
        "awstrack",
        "magic_link",
        "https://app.example.com/verify?token=Tq83LmZp0aXk&uid=42",
        mc(
            "Verify your email address",
            html=page(
                '<tr><td><a href="https://abc123.r.us-east-1.awstrack.me/L0/https:%2F%2F'
                "app.example.com%2Fverify%3Ftoken=Tq83LmZp0aXk%26uid=42/1/0100018e-"
                'abcdef/xyz=">Verify email address</a></td></tr>'
            ),
        ),
    ),
    Case(
        "de_reset",
        "magic_link",
        "https://konto.beispiel.de/passwort/neu?token=Hq82kLz0Pm3XwQ",
        mc(
            "Passwort zurücksetzen",
            html=page(
                "<tr><td><p>Hallo,</p><p>du hast angefordert, dein Passwort "
                'zurückzusetzen.</p><a href="https://konto.beispiel.de/passwort/neu?'
                'token=Hq82kLz0Pm3XwQ">Passwort zurücksetzen</a><p>Der Link ist 60 '
                'Minuten gültig.</p><a href="https://beispiel.de/hilfe">Hilfe</a>'
                "</td></tr>",
                "Beispiel",
                "beispiel.de",
            ),
        ),
    ),
    Case(
        "ja_reset",
        "magic_link",
        "https://example.jp/password/reset/8f3k2LQz9Xp1aB7c",
        mc(
            "パスワード再設定のご案内",
            html=page(
                "<tr><td><p>以下のボタンからパスワードを再設定してください。</p>"
                '<a href="https://example.jp/password/reset/8f3k2LQz9Xp1aB7c">'
                "パスワードを再設定する</a></td></tr>",
                "Example",
                "example.jp",
            ),
        ),
    ),
    Case(
        "text_only_with_unsub",
        "magic_link",
        "https://app.acme.io/auth/confirm?code=5Zq8Lm2PxK0w&email=jo%40example.com",
        mc(
            "Confirm your account",
            text="Welcome to Acme!\n\nPlease confirm your account:\n"
            "https://app.acme.io/auth/confirm?code=5Zq8Lm2PxK0w&email=jo%40example.com\n\n"
            "Unsubscribe: https://app.acme.io/unsubscribe?id=8f2a91c0e4d5b6a7\n"
            "Privacy: https://acme.io/privacy",
        ),
    ),
    Case(
        "entity_amp",
        "magic_link",
        "https://id.example.org/activate?uid=42&key=Xk29Lq8Zm3Pw0A",
        mc(
            "Activate your account",
            html=page(
                '<tr><td><a href="https://id.example.org/activate?uid=42&amp;key='
                'Xk29Lq8Zm3Pw0A">Activate account</a></td></tr>'
            ),
        ),
    ),
    Case(
        "region_param_not_entity",
        "magic_link",
        "https://auth.example.com/login?token=Pq82Lx0ZkM3n&region=eu",
        mc(
            "Your login link",
            html=page(
                '<tr><td><a href="https://auth.example.com/login?token=Pq82Lx0ZkM3n'
                '&region=eu">Log in</a></td></tr>'
            ),
        ),
    ),
    Case(
        "verify_with_redirect_param",
        "magic_link",
        "https://auth.example.com/verify?token=Lm3Pq82ZkX0n&redirect=https%3A%2F%2Fapp."
        "example.com%2Fhome",
        mc(
            "Verify your email",
            html=page(
                '<tr><td><a href="https://auth.example.com/verify?token=Lm3Pq82ZkX0n'
                '&amp;redirect=https%3A%2F%2Fapp.example.com%2Fhome">Verify my email</a>'
                "</td></tr>"
            ),
        ),
    ),
    Case(
        "invite",
        "magic_link",
        "https://github.com/orgs/acme/invitation?via_email=1&token=AB12cd34EF56gh78",
        mc(
            "[GitHub] @octocat has invited you to join the @acme organization",
            html=page(
                "<tr><td><p>@octocat has invited you to join the @acme organization."
                '</p><a href="https://github.com/orgs/acme/invitation?via_email=1&amp;'
                'token=AB12cd34EF56gh78">Join @acme</a><p><a href="https://github.com/'
                'settings/notifications">Notification settings</a></p></td></tr>',
                "GitHub",
                "github.com",
            ),
        ),
    ),
    Case(
        "fr_button_and_fallback",
        "magic_link",
        "https://compte.exemple.fr/verification/7Yk2LpQ9zX3m8N",
        mc(
            "Confirmez votre adresse e-mail",
            html=page(
                '<tr><td><p>Merci de confirmer votre adresse e-mail.</p><a href="'
                'https://compte.exemple.fr/verification/7Yk2LpQ9zX3m8N">Confirmer mon '
                "adresse</a><p>Si le bouton ne fonctionne pas, copiez ce lien : "
                "https://compte.exemple.fr/verification/7Yk2LpQ9zX3m8N</p></td></tr>",
                "Exemple",
                "exemple.fr",
            ),
        ),
    ),
]

NONE_CASES: list[Case] = [
    Case(
        "order_confirmation",
        "none",
        None,
        mc(
            "Your Amazon.com order #112-4567890-1234567",
            html=page(
                "<tr><td><h2>Order Confirmation</h2><p>Order number: 40291833</p><p>"
                'Arriving: March 14, 2025</p><p>Order Total: $59.99</p><a href="https://'
                'amazon.com/gp/your-account/order-details?orderID=112-4567890-1234567">View '
                "or manage order</a></td></tr>",
                "Amazon",
                "amazon.com",
            ),
        ),
    ),
    Case(
        "invoice",
        "none",
        None,
        mc(
            "Rechnung INV-2024-0012",
            text="Sehr geehrte Kundin,\n\nanbei Ihre Rechnung Nr. 20240012 vom 15.03.2025.\n"
            "Rechnungsbetrag: 1.250,00 EUR\nKundennummer: 558201\nIBAN DE89 3704 0044 0532 0130 00"
            "\n\nZahlbar bis 30.03.2025.",
        ),
    ),
    Case(
        "appointment",
        "none",
        None,
        mc(
            "Appointment reminder",
            text="Hi Jane,\n\nThis is a reminder of your appointment on 12/03/2025 at 2:30 PM with"
            " Dr. Smith.\nBooking reference: 482913\nLocation: 1200 Main Street, Suite 400, "
            "Boston, MA 02114\nQuestions? Call us at (617) 555-0142.\n\nSee you soon!",
        ),
    ),
    Case(
        "security_notice",
        "none",
        None,
        mc(
            "New sign-in to your account",
            text="We noticed a new sign-in to your Google Account on a Windows device.\n\n"
            "Monday, 3 March 2025 10:42 (UTC)\nIP address: 192.168.10.12\nLocation: Berlin 10115,"
            " Germany\n\nIf this was you, you don't need to do anything. If not, we'll help you "
            "secure your account: https://myaccount.google.com/notifications",
        ),
    ),
    Case(
        "coupon",
        "none",
        None,
        mc(
            "20% off this weekend only!",
            html=page(
                "<tr><td><h1>Big Spring Sale</h1><p>Use code <b>SAVE20</b> at checkout "
                "for 20% off. Offer ends 31.12.2024.</p><p>Free shipping on orders over "
                '$50.</p><a href="https://shop.acme.com/sale?utm_source=email">Shop now</a>'
                "</td></tr>"
            ),
        ),
    ),
    Case(
        "shipping",
        "none",
        None,
        mc(
            "Your package has shipped",
            text="Good news! Your order 7741-2201 has shipped.\nTracking number: 1Z999AA10123456784"
            "\nEstimated delivery: Tuesday, May 6\nCarrier: UPS\n\nTrack your package: "
            "https://acme.com/track/1Z999AA10123456784",
        ),
    ),
    Case(
        "ticket_update",
        "none",
        None,
        mc(
            "[Support] Ticket #584920 has been updated",
            text="Hello,\n\nYour ticket #584920 has been updated by our support team.\n\nReply to "
            "this email to add a comment.\n\n-- Acme Support, +1 415 555 0100",
        ),
    ),
    Case(
        "twofa_enabled",
        "none",
        None,
        mc(
            "Two-factor authentication enabled",
            text="Two-factor authentication was enabled on your account on 2024-05-01 at 09:12.\n"
            "If you did not make this change, contact support immediately.\n© 2024 Acme",
        ),
    ),
    Case(
        "password_changed_with_link",
        "none",
        None,
        mc(
            "Your password was changed",
            html=page(
                "<tr><td><p>Your password was changed on 2025-01-04 at 18:22 from "
                "203.0.113.7.</p><p>If this wasn't you, <a href=\"https://acme.com/account/"
                'security">secure your account</a>.</p></td></tr>'
            ),
        ),
    ),
    Case(
        "newsletter",
        "none",
        None,
        mc(
            "This week at Acme",
            html=page(
                "<tr><td><h2>5 tips for 2025</h2><p>Read how 1200 teams use Acme.</p><a "
                'href="https://blog.acme.com/posts/5-tips-2025?utm_campaign=weekly">Read more'
                "</a><p>Join our webinar on 04/22 at 10:00 PT.</p></td></tr>"
            ),
        ),
    ),
    Case(
        "receipt_price",
        "none",
        None,
        mc(
            "Receipt from Acme Coffee",
            text="Receipt #1043-2291\n\nLatte   4.50\nBagel   3.25\nTotal  $7.75\n\nPaid with Visa "
            "•••• 4242 on Apr 3, 2025 at 8:14 AM\n\nAcme Coffee, 55 King St, Toronto ON M5H 1A1",
        ),
    ),
]

HARD_CASES: list[Case] = [
    Case(
        "code_and_request_id",
        "otp",
        "123456",
        mc("Your code", text="Your code: 123456\nRequest ID: 789012"),
    ),
    Case(
        "referral_code",
        "none",
        None,
        mc("Invite friends", text="Share your referral code: JANE2024\nGet $10 per friend."),
    ),
    Case(
        "order_pickup",
        "none",
        None,
        mc("Order ready", text="Your order 583920 is ready for pickup at 5 PM."),
    ),
    Case(
        "statement",
        "none",
        None,
        mc("Statement", text="Your statement for account 48291033 is ready.\nBalance: 1,234.56"),
    ),
    Case(
        "code_only_in_url",
        "none",
        None,
        mc("Verify", text="Verify here: https://x.com/v?code=482913"),
    ),
    Case(
        "code_table_with_ref",
        "otp",
        "730194",
        mc(
            "Login",
            html=(
                "<table><tr><td>Login code</td><td><b>730194</b></td></tr><tr><td>Expires</td>"
                "<td>10 min</td></tr><tr><td>Ref</td><td>558812</td></tr></table>"
            ),
        ),
    ),
    Case(
        "lowercase_alnum", "otp", "x7k9p2", mc("Your login code", text="Your login code is x7k9p2")
    ),
    Case(
        "big_number_no_keyword",
        "none",
        None,
        mc("Stats", html=("<h1 style='font-size:40px'>1024</h1><p>new followers this week</p>")),
    ),
    Case(
        "google_prefix",
        "otp",
        "583920",
        mc(
            "G-583920 is your Google verification code",
            text="G-583920 is your Google verification code.",
        ),
    ),
    Case(
        "invoice_code_label",
        "none",
        None,
        mc("Invoice", text="Invoice code: 20240045\nAmount: 99 EUR"),
    ),
    Case(
        "zip_in_address_change",
        "none",
        None,
        mc(
            "Your address was updated",
            text="Your shipping address was changed to:\n12 Elm Street\nSpringfield 62704\nIf "
            "this wasn't you, contact support.",
        ),
    ),
    Case(
        "fullwidth_digits",
        "otp",
        "482913",
        mc("確認コード", text="確認コード：４８２９１３\n有効期限は30分です。"),
    ),
]

ALL_CASES = OTP_CASES + LINK_CASES + NONE_CASES + HARD_CASES
