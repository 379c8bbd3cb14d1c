//! Built-in personal-data agreement templates (EU GDPR in English; Russia, Belarus
//! and Kazakhstan in Russian), filled from the company details into plain text.
//!
//! Pure: [`Template::fill`] takes the company details and returns the title, label
//! and text, or the names of the details it needs that are empty.

use canal_protocol::admin::TemplateId;

use crate::agreements::Company;

/// A built-in template. Stored in `agreements.template` under its wire id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Template {
    EuGdpr,
    Ru152Fz,
    By99Z,
    Kz94V,
}

/// What a template gives: the first version of an agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    pub title: &'static str,
    pub label: &'static str,
    pub text: String,
}

impl Template {
    /// Every template, in listing order.
    pub const ALL: [Template; 4] = [Self::EuGdpr, Self::Ru152Fz, Self::By99Z, Self::Kz94V];

    /// The title agreements made from this template are shown with.
    pub fn title(self) -> &'static str {
        match self {
            Self::EuGdpr => "Consent to the processing of personal data",
            Self::Ru152Fz | Self::By99Z | Self::Kz94V => {
                "Согласие на обработку персональных данных"
            }
        }
    }

    /// The default checkbox label.
    pub fn label(self) -> &'static str {
        match self {
            Self::EuGdpr => "I agree to the processing of my personal data",
            Self::Ru152Fz | Self::By99Z | Self::Kz94V => {
                "Я даю согласие на обработку моих персональных данных"
            }
        }
    }

    /// The law the template is written for.
    pub fn law(self) -> &'static str {
        match self {
            Self::EuGdpr => "EU General Data Protection Regulation (EU) 2016/679",
            Self::Ru152Fz => "Russian Federation, Federal Law No. 152-FZ \"On Personal Data\"",
            Self::By99Z => {
                "Republic of Belarus, Law No. 99-Z \"On the Protection of Personal Data\""
            }
            Self::Kz94V => {
                "Republic of Kazakhstan, Law No. 94-V \"On Personal Data and Their Protection\""
            }
        }
    }

    /// BCP 47 language of the text.
    pub fn language(self) -> &'static str {
        match self {
            Self::EuGdpr => "en",
            Self::Ru152Fz | Self::By99Z | Self::Kz94V => "ru",
        }
    }

    /// The template filled with `company`, or the company fields it needs that are
    /// empty (see [`Company::missing_for_templates`]).
    pub fn fill(self, company: &Company) -> Result<Filled, Vec<&'static str>> {
        let missing = company.missing_for_templates();
        if !missing.is_empty() {
            return Err(missing);
        }
        let text = match self {
            Self::EuGdpr => eu_gdpr(company),
            Self::Ru152Fz => ru_152fz(company),
            Self::By99Z => by_99z(company),
            Self::Kz94V => kz_94v(company),
        };
        Ok(Filled {
            title: self.title(),
            label: self.label(),
            text,
        })
    }
}

impl From<TemplateId> for Template {
    fn from(id: TemplateId) -> Self {
        match id {
            TemplateId::EuGdpr => Self::EuGdpr,
            TemplateId::Ru152Fz => Self::Ru152Fz,
            TemplateId::By99Z => Self::By99Z,
            TemplateId::Kz94V => Self::Kz94V,
        }
    }
}

impl Template {
    /// The stored (and wire) id.
    pub fn as_str(self) -> &'static str {
        TemplateId::from(self).as_str()
    }

    /// The template stored as `raw`, if any.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }
}

impl From<Template> for TemplateId {
    fn from(template: Template) -> Self {
        match template {
            Template::EuGdpr => Self::EuGdpr,
            Template::Ru152Fz => Self::Ru152Fz,
            Template::By99Z => Self::By99Z,
            Template::Kz94V => Self::Kz94V,
        }
    }
}

/// One line per item, each after a dash.
fn bullets(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("— {item}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `Name, <word> 123` or just `Name`.
fn named(company: &Company, registration_word: &str) -> String {
    match &company.registration_id {
        Some(id) => format!("{}, {registration_word} {id}", company.legal_name),
        None => company.legal_name.clone(),
    }
}

fn eu_gdpr(c: &Company) -> String {
    let recipients = if c.recipients.is_empty() {
        format!(
            "We do not disclose the data to anyone outside {}, unless the law requires us to.",
            c.legal_name
        )
    } else {
        format!("The data is disclosed only to:\n{}", bullets(&c.recipients))
    };
    format!(
        "\
{controller}, {address} (the controller), asks for your consent to process your \
personal data as described below.

Purposes of processing:
{purposes}

Data processed: the messages you write; the contact details you choose to give, \
such as your name, e-mail address or phone number; the address (URL) of the page \
you write from; your IP address; and your browser's identification (user agent).

Legal basis: your consent, under Article 6(1)(a) of the General Data Protection \
Regulation (EU) 2016/679.

Recipients: {recipients}

Retention: the data is kept until the purposes above are achieved or you withdraw \
this consent, whichever comes first, and is then deleted, unless the law obliges \
the controller to keep it longer.

Your rights: you may ask for access to your data, for its correction or erasure, \
for restriction of its processing and for a copy in a portable format, and you may \
object to its processing. You may withdraw this consent at any time, as easily as \
you gave it, by writing to {email}; withdrawal does not affect processing carried \
out before it. You may complain to a data protection supervisory authority, in \
particular in the EU country where you live or work.

Giving consent is voluntary. Without it we cannot answer you here, but you can \
still write to {email}.

Contact: {email}.",
        controller = named(c, "registration number"),
        address = c.address,
        purposes = bullets(&c.purposes),
        email = c.contact_email,
    )
}

fn ru_152fz(c: &Company) -> String {
    let recipients = if c.recipients.is_empty() {
        "Оператор не передаёт данные третьим лицам, кроме случаев, когда этого требует закон."
            .to_owned()
    } else {
        format!("Данные передаются только:\n{}", bullets(&c.recipients))
    };
    format!(
        "\
Я свободно, своей волей и в своём интересе даю согласие \
{operator}, адрес: {address} (далее — оператор), на обработку моих персональных \
данных на условиях ниже, в соответствии с Федеральным законом от 27.07.2006 \
№ 152-ФЗ «О персональных данных».

Цели обработки:
{purposes}

Какие данные: сообщения, которые я пишу; контактные данные, которые я сообщаю \
(например, имя, адрес электронной почты, номер телефона); адрес (URL) страницы, \
с которой я пишу; IP-адрес; сведения о браузере (User-Agent).

Действия с данными: сбор, запись, систематизация, накопление, хранение, уточнение \
(обновление, изменение), извлечение, использование, передача (предоставление, \
доступ) получателям, указанным ниже, блокирование, удаление, уничтожение; \
с использованием средств автоматизации и без них.

Правовое основание: моё согласие (пункт 1 части 1 статьи 6 Федерального закона \
№ 152-ФЗ).

Получатели: {recipients}

Срок: согласие действует до достижения целей обработки или до его отзыва. После \
этого оператор прекращает обработку и уничтожает данные в срок не более 30 дней, \
если федеральный закон не требует иного.

Мои права: получать сведения об обработке моих данных; требовать их уточнения, \
блокирования или уничтожения, если они неполные, устаревшие, неточные, незаконно \
полученные или не нужны для заявленной цели; обжаловать действия оператора \
в Роскомнадзоре (уполномоченном органе по защите прав субъектов персональных \
данных) или в суде.

Отзыв согласия: в любой момент, заявлением оператору на {email} или по адресу \
{address}. Отзыв не влияет на законность обработки до него.

Давать согласие не обязательно. Без него оператор не сможет ответить мне здесь, \
но я могу написать на {email}.

Контакт оператора: {email}.",
        operator = named(c, "регистрационный номер"),
        address = c.address,
        purposes = bullets(&c.purposes),
        email = c.contact_email,
    )
}

fn by_99z(c: &Company) -> String {
    let recipients = if c.recipients.is_empty() {
        "Оператор не предоставляет данные третьим лицам, кроме случаев, предусмотренных \
законодательством."
            .to_owned()
    } else {
        format!(
            "Данные обрабатывают или получают только:\n{}",
            bullets(&c.recipients)
        )
    };
    format!(
        "\
Я даю согласие {operator}, место нахождения: {address} (далее — \
оператор), на обработку моих персональных данных на условиях ниже, в соответствии \
с Законом Республики Беларусь от 7 мая 2021 г. № 99-З «О защите персональных \
данных».

Цели обработки:
{purposes}

Какие данные: сообщения, которые я пишу; контактные данные, которые я сообщаю \
(например, имя, адрес электронной почты, номер телефона); адрес (URL) страницы, \
с которой я пишу; IP-адрес; сведения о браузере (User-Agent).

Действия с данными: сбор, систематизация, хранение, изменение, использование, \
обезличивание, блокирование, предоставление получателям, указанным ниже, удаление; \
с использованием средств автоматизации и без них.

Правовое основание: моё согласие (статья 5 Закона № 99-З).

Уполномоченные лица и иные получатели: {recipients}

Срок: согласие даётся на срок, необходимый для достижения целей обработки, и \
действует до его отзыва.

Мои права: отозвать согласие в любое время без объяснения причин — заявлением \
оператору или в той форме, в которой оно дано (в течение 15 дней оператор \
прекращает обработку, удаляет данные и сообщает мне об этом, если нет других \
оснований для обработки); получать информацию об обработке моих данных; раз \
в календарный год бесплатно узнавать, кому они предоставлялись; требовать \
изменения неполных, устаревших или неточных данных; требовать прекращения \
обработки и удаления данных; обжаловать действия оператора в уполномоченный орган \
по защите прав субъектов персональных данных.

Заявления оператору: на {email} или по адресу {address}.

Давать согласие не обязательно. Если я его не дам, оператор не сможет ответить мне \
здесь, но я могу написать на {email}.",
        operator = named(c, "регистрационный номер"),
        address = c.address,
        purposes = bullets(&c.purposes),
        email = c.contact_email,
    )
}

fn kz_94v(c: &Company) -> String {
    let recipients = if c.recipients.is_empty() {
        "Оператор не передаёт данные третьим лицам, кроме случаев, предусмотренных законами \
Республики Казахстан."
            .to_owned()
    } else {
        format!("Данные передаются только:\n{}", bullets(&c.recipients))
    };
    format!(
        "\
Я даю согласие {operator}, адрес: {address} (далее — оператор), \
на сбор и обработку моих персональных данных на условиях ниже, в соответствии \
с Законом Республики Казахстан от 21 мая 2013 года № 94-V «О персональных данных \
и их защите».

Цели сбора и обработки:
{purposes}

Какие данные: сообщения, которые я пишу; контактные данные, которые я сообщаю \
(например, имя, адрес электронной почты, номер телефона); адрес (URL) страницы, \
с которой я пишу; IP-адрес; сведения о браузере (User-Agent).

Действия с данными: сбор, накопление, хранение, изменение, дополнение, \
использование, передача получателям, указанным ниже, обезличивание, блокирование, \
уничтожение; с использованием средств автоматизации и без них.

Правовое основание: моё согласие (статья 7 Закона № 94-V).

Получатели: {recipients}

Срок: данные хранятся до достижения целей их сбора и обработки или до отзыва \
согласия, если закон не требует хранить их дольше.

Мои права: знать, есть ли мои данные у оператора и третьих лиц, и получать \
сведения о целях, способах и сроках их обработки; требовать изменения и дополнения \
данных при наличии оснований, подтверждённых документами; требовать блокирования \
или уничтожения данных, собранных или обрабатываемых с нарушением закона; отозвать \
согласие, кроме случаев, когда это противоречит законам Республики Казахстан или \
есть неисполненное обязательство; обжаловать действия оператора в уполномоченном \
органе по защите персональных данных или в суде.

Отзыв согласия и другие заявления: на {email} или по адресу {address}.

Давать согласие не обязательно. Без него оператор не сможет ответить мне здесь, \
но я могу написать на {email}.",
        operator = named(c, "регистрационный номер"),
        address = c.address,
        purposes = bullets(&c.purposes),
        email = c.contact_email,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company() -> Company {
        Company {
            legal_name: "Acme Ltd".into(),
            address: "1 Main St, Springfield".into(),
            registration_id: Some("12345".into()),
            contact_email: "privacy@acme.example".into(),
            purposes: vec!["answer questions".into(), "keep records".into()],
            recipients: vec!["Host Co, 2 Cloud Rd (hosting)".into()],
            country: None,
        }
    }

    #[test]
    fn every_template_names_each_company_detail() {
        let c = company();
        for template in Template::ALL {
            let filled = template.fill(&c).expect("filled");
            for needle in [
                "Acme Ltd",
                "12345",
                "1 Main St, Springfield",
                "privacy@acme.example",
                "answer questions",
                "keep records",
                "Host Co, 2 Cloud Rd (hosting)",
            ] {
                assert!(filled.text.contains(needle), "{template:?} lacks {needle}");
            }
            assert!(!filled.text.contains('{'), "{template:?} has a placeholder");
        }
    }

    #[test]
    fn russian_templates_name_their_law() {
        let c = company();
        let text = |t: Template| t.fill(&c).expect("filled").text;
        assert!(text(Template::Ru152Fz).contains("№ 152-ФЗ"));
        assert!(text(Template::By99Z).contains("№ 99-З"));
        assert!(text(Template::Kz94V).contains("№ 94-V"));
        assert!(text(Template::EuGdpr).contains("2016/679"));
    }

    #[test]
    fn no_recipients_says_nobody() {
        let c = Company {
            recipients: vec![],
            registration_id: None,
            ..company()
        };
        let text = Template::EuGdpr.fill(&c).expect("filled").text;
        assert!(text.contains("do not disclose"));
        assert!(text.starts_with("Acme Ltd, 1 Main St"));
    }

    #[test]
    fn missing_details_are_named() {
        let c = Company {
            legal_name: " ".into(),
            purposes: vec![],
            ..company()
        };
        for template in Template::ALL {
            assert_eq!(template.fill(&c), Err(vec!["legal_name", "purposes"]));
        }
    }
}
