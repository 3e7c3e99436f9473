//! A synthetic register for benchmarks and scale tests: N centers over the 20 regions with
//! Kazakh, Russian and English names, 1–3 certificates each across every status, 2–8
//! professions per scope out of 320, events with reasons; valid BINs; deterministic from a
//! seed. It passes `tizilim check` without warnings.

use chrono::{Duration, NaiveDate};

use crate::register::bin::Bin;
use crate::register::diagnostic::Position;
use crate::register::model::*;

/// A small, fast, deterministic generator (SplitMix64).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const REGIONS: [(&str, &str, &str, &str, &str); 20] = [
    ("astana", "Астана", "Астана", "Astana", "Астана"),
    ("almaty-city", "Алматы", "Алматы", "Almaty", "Алматы"),
    ("shymkent", "Шымкент", "Шымкент", "Shymkent", "Шымкент"),
    (
        "abai",
        "Абай облысы",
        "Абайская область",
        "Abai Region",
        "Семей",
    ),
    (
        "akmola",
        "Ақмола облысы",
        "Акмолинская область",
        "Akmola Region",
        "Көкшетау",
    ),
    (
        "aktobe",
        "Ақтөбе облысы",
        "Актюбинская область",
        "Aktobe Region",
        "Ақтөбе",
    ),
    (
        "almaty",
        "Алматы облысы",
        "Алматинская область",
        "Almaty Region",
        "Қонаев",
    ),
    (
        "atyrau",
        "Атырау облысы",
        "Атырауская область",
        "Atyrau Region",
        "Атырау",
    ),
    (
        "east-kazakhstan",
        "Шығыс Қазақстан облысы",
        "Восточно-Казахстанская область",
        "East Kazakhstan Region",
        "Өскемен",
    ),
    (
        "zhambyl",
        "Жамбыл облысы",
        "Жамбылская область",
        "Zhambyl Region",
        "Тараз",
    ),
    (
        "zhetysu",
        "Жетісу облысы",
        "Область Жетісу",
        "Zhetysu Region",
        "Талдықорған",
    ),
    (
        "west-kazakhstan",
        "Батыс Қазақстан облысы",
        "Западно-Казахстанская область",
        "West Kazakhstan Region",
        "Орал",
    ),
    (
        "karaganda",
        "Қарағанды облысы",
        "Карагандинская область",
        "Karaganda Region",
        "Қарағанды",
    ),
    (
        "kostanay",
        "Қостанай облысы",
        "Костанайская область",
        "Kostanay Region",
        "Қостанай",
    ),
    (
        "kyzylorda",
        "Қызылорда облысы",
        "Кызылординская область",
        "Kyzylorda Region",
        "Қызылорда",
    ),
    (
        "mangystau",
        "Маңғыстау облысы",
        "Мангистауская область",
        "Mangystau Region",
        "Ақтау",
    ),
    (
        "pavlodar",
        "Павлодар облысы",
        "Павлодарская область",
        "Pavlodar Region",
        "Павлодар",
    ),
    (
        "north-kazakhstan",
        "Солтүстік Қазақстан облысы",
        "Северо-Казахстанская область",
        "North Kazakhstan Region",
        "Петропавл",
    ),
    (
        "turkistan",
        "Түркістан облысы",
        "Туркестанская область",
        "Turkistan Region",
        "Түркістан",
    ),
    (
        "ulytau",
        "Ұлытау облысы",
        "Область Ұлытау",
        "Ulytau Region",
        "Жезқазған",
    ),
];

const STEMS: [(&str, &str, &str); 40] = [
    ("Алатау", "Алатау", "Alatau"),
    ("Сарыарқа", "Сарыарка", "Saryarka"),
    ("Көкше", "Кокше", "Kokshe"),
    ("Жайық", "Жайык", "Zhaiyk"),
    ("Ертіс", "Иртыш", "Irtysh"),
    ("Балқаш", "Балхаш", "Balkhash"),
    ("Каспий", "Каспий", "Caspiy"),
    ("Тұран", "Туран", "Turan"),
    ("Ұлытау", "Улытау", "Ulytau"),
    ("Сырдария", "Сырдарья", "Syrdarya"),
    ("Жетісу", "Жетысу", "Zhetysu"),
    ("Атамекен", "Атамекен", "Atameken"),
    ("Шебер", "Шебер", "Sheber"),
    ("Кәсіпкер", "Касипкер", "Kasipker"),
    ("Өрлеу", "Орлеу", "Orleu"),
    ("Бәйтерек", "Байтерек", "Baiterek"),
    ("Қазына", "Казына", "Kazyna"),
    ("Самұрық", "Самрук", "Samruk"),
    ("Арқа", "Арка", "Arka"),
    ("Қаратау", "Каратау", "Karatau"),
    ("Есіл", "Ишим", "Yesil"),
    ("Іле", "Или", "Ile"),
    ("Нұр", "Нур", "Nur"),
    ("Болашақ", "Болашак", "Bolashak"),
    ("Дала", "Дала", "Dala"),
    ("Мерей", "Мерей", "Merey"),
    ("Әділет", "Адилет", "Adilet"),
    ("Жігер", "Жигер", "Zhiger"),
    ("Сапа", "Сапа", "Sapa"),
    ("Достық", "Достык", "Dostyk"),
    ("Қыран", "Кыран", "Kyran"),
    ("Отырар", "Отырар", "Otyrar"),
    ("Сауран", "Сауран", "Sauran"),
    ("Алтай", "Алтай", "Altai"),
    ("Жұлдыз", "Жулдыз", "Zhuldyz"),
    ("Шұғыла", "Шугыла", "Shugyla"),
    ("Ақсу", "Аксу", "Aksu"),
    ("Медеу", "Медеу", "Medeu"),
    ("Еңбек", "Енбек", "Enbek"),
    ("Өркен", "Оркен", "Orken"),
];

const OCCUPATIONS: [(&str, &str, &str); 10] = [
    ("операторы", "Оператор", "operator"),
    ("слесарі", "Слесарь", "fitter"),
    ("монтаждаушысы", "Монтажник", "installer"),
    ("машинисі", "Машинист", "driver"),
    ("шебері", "Мастер", "technician"),
    ("электр монтері", "Электромонтер", "electrician"),
    ("дәнекерлеушісі", "Сварщик", "welder"),
    ("бақылаушысы", "Контролер", "inspector"),
    ("жөндеушісі", "Ремонтник", "repairer"),
    ("технигі", "Техник", "engineering technician"),
];

const OBJECTS: [(&str, &str, &str); 32] = [
    (
        "Бұрғылау қондырғысының",
        "буровой установки",
        "Drilling rig",
    ),
    ("Қазандықтың", "котельной", "Boiler house"),
    ("Кранның", "крана", "Crane"),
    ("Сорғы станциясының", "насосной станции", "Pumping station"),
    ("Желдету жүйелерінің", "систем вентиляции", "Ventilation"),
    (
        "Тоңазытқыш жабдығының",
        "холодильного оборудования",
        "Refrigeration",
    ),
    ("Автокөліктің", "автомобилей", "Vehicle"),
    ("Байланыс желілерінің", "линий связи", "Communication line"),
    ("Құбыр желісінің", "трубопровода", "Pipeline"),
    ("Қосалқы станцияның", "подстанции", "Substation"),
    ("Турбинаның", "турбины", "Turbine"),
    ("Конвейердің", "конвейера", "Conveyor"),
    ("Экскаватордың", "экскаватора", "Excavator"),
    ("Локомотивтің", "локомотива", "Locomotive"),
    ("Станоктың", "станков с ЧПУ", "CNC machine"),
    ("Лифтінің", "лифтов", "Lift"),
    ("Газ жабдығының", "газового оборудования", "Gas equipment"),
    ("Мұнай өңдеудің", "нефтепереработки", "Oil refining"),
    (
        "Тау-кен жабдығының",
        "горного оборудования",
        "Mining equipment",
    ),
    ("Күн станциясының", "солнечной станции", "Solar plant"),
    ("Жел қондырғысының", "ветроустановки", "Wind turbine"),
    ("Су тазартудың", "водоочистки", "Water treatment"),
    ("Астық сақтаудың", "зернохранилища", "Grain storage"),
    ("Сүт өндірісінің", "молочного производства", "Dairy"),
    ("Нан өндірісінің", "хлебопекарного производства", "Bakery"),
    ("Тігін өндірісінің", "швейного производства", "Garment"),
    ("Жиһаз өндірісінің", "мебельного производства", "Furniture"),
    ("Полиграфияның", "полиграфии", "Printing"),
    (
        "Медициналық жабдықтың",
        "медицинского оборудования",
        "Medical equipment",
    ),
    (
        "Компьютерлік желілердің",
        "компьютерных сетей",
        "Computer network",
    ),
    (
        "Ауыл шаруашылығы техникасының",
        "сельхозтехники",
        "Farm machinery",
    ),
    (
        "Кеме жабдығының",
        "судового оборудования",
        "Marine equipment",
    ),
];

const REVOKED: (&str, &str, &str) = (
    "Постаккредиттеу шартының талаптарын орындамау",
    "Невыполнение условий постаккредитационного договора",
    "Failure to comply with the post-accreditation agreement",
);
const RESUMED: (&str, &str, &str) = (
    "Бұзушылықтардың жойылуы",
    "Устранение нарушений",
    "The violations were remedied",
);
const TERMINATED: (&str, &str, &str) = (
    "Орталықтың өтініші бойынша",
    "По заявлению центра",
    "At the center's request",
);

fn text(kk: String, ru: String, en: Option<String>) -> Text {
    Text {
        kk: Some(kk),
        ru: Some(ru),
        en,
    }
}

fn at<T>(row: T) -> Located<T> {
    Located {
        position: Position::file("synthetic"),
        row,
    }
}

fn date(days_from_2020: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).expect("a date") + Duration::days(days_from_2020 as i64)
}

/// A register of `centers` synthetic centers, the same for the same `seed`.
pub fn generate(centers: usize, seed: u64) -> Register {
    let mut random = Random(seed);
    let mut register = Register::default();
    for (code, kk, ru, en, _) in REGIONS {
        register.regions.push(at(CodedRow {
            code: code.to_owned(),
            name: text(kk.into(), ru.into(), Some(en.into())),
        }));
    }
    for (o, object) in OBJECTS.iter().enumerate() {
        for (p, occupation) in OCCUPATIONS.iter().enumerate() {
            register.professions.push(at(CodedRow {
                code: format!("{}-{}-{:03}", 7100 + o * 7, p % 3 + 1, o * 10 + p),
                name: text(
                    format!("{} {}", object.0, occupation.0),
                    format!("{} {}", occupation.1, object.1),
                    Some(format!("{} {}", object.2, occupation.2)),
                ),
            }));
        }
    }
    let kinds: [(&str, &str, &str); 4] = [
        (
            "біліктілікті тану орталығы» ЖШС",
            "ТОО «Центр признания квалификаций",
            "Qualification Recognition Centre LLP",
        ),
        (
            "біліктілік орталығы» ЖШС",
            "ТОО «Квалификационный центр",
            "Qualification Centre LLP",
        ),
        (
            "біліктілікті бағалау орталығы» АҚ",
            "АО «Центр оценки квалификаций",
            "Qualification Assessment Centre JSC",
        ),
        (
            "кәсіптік даярлау орталығы» ЖМ",
            "ЧУ «Центр профессиональной подготовки",
            "Vocational Training Centre",
        ),
    ];
    let mut used_bins = std::collections::HashSet::new();
    let mut number = 0usize;
    for i in 0..centers {
        let bin = loop {
            let mut digits = [0u8; 11];
            let year = 1 + random.below(23);
            let month = 1 + random.below(12);
            let head = [year / 10, year % 10, month / 10, month % 10, 4, 0];
            for (slot, d) in digits.iter_mut().zip(head) {
                *slot = d as u8;
            }
            for slot in digits.iter_mut().skip(6) {
                *slot = random.below(10) as u8;
            }
            if let Some(bin) = Bin::with_check_digit(&digits) {
                if used_bins.insert(bin.to_string()) {
                    break bin;
                }
            }
        };
        let (a, b) = (random.pick(&STEMS), random.pick(&STEMS));
        let kind = random.pick(&kinds);
        let region = &REGIONS[if i % 3 == 0 { i % 3 } else { random.below(20) }];
        let name = text(
            format!("«{}-{} {}", a.0, b.0, kind.0),
            format!("{} «{}-{}»»", kind.1, a.1, b.1),
            (random.below(3) == 0).then(|| format!("{}-{} {}", a.2, b.2, kind.2)),
        );
        register.centers.push(at(CenterRow {
            bin: bin.clone(),
            name,
            region: region.0.to_owned(),
            city: Some(region.4.to_owned()),
            address: Text {
                kk: Some(format!(
                    "{} қ., Абай даңғылы, {}",
                    region.4,
                    1 + random.below(200)
                )),
                ru: None,
                en: None,
            },
            phone: Some(format!(
                "+7 (7172) {:02}-{:02}-{:02}",
                20 + random.below(80),
                random.below(100),
                random.below(100)
            )),
            email: Some(format!("info{i}@center.kz")),
            website: None,
        }));
        // The life of the center's certificates.
        let plan = random.below(100);
        let count = match plan {
            0..=9 => 2,
            10..=12 => 3,
            _ => 1,
        };
        let mut issued = 30 + random.below(1500);
        let mut previous: Option<String> = None;
        for k in 0..count {
            number += 1;
            let certificate = format!("ЦПК-{}/{:06}", 2020 + issued / 365, number);
            register.certificates.push(at(CertificateRow {
                number: certificate.clone(),
                bin: bin.to_string(),
                issued_on: date(issued),
                valid_until: None,
                replaces: if plan < 10 { previous.clone() } else { None },
                agreement_number: Some(format!("ПАД-{number}")),
                agreement_date: Some(date(issued + random.below(10))),
            }));
            let mut professions: Vec<usize> = (0..2 + random.below(7))
                .map(|_| random.below(register.professions.len()))
                .collect();
            professions.sort_unstable();
            professions.dedup();
            for p in professions {
                let low = 2 + random.below(4);
                register.scope.push(at(ScopeRow {
                    certificate: certificate.clone(),
                    profession: register.professions[p].code.clone(),
                    levels: Levels::from_levels(low as u8..=(low + random.below(3)) as u8),
                }));
            }
            let last = k + 1 == count;
            let event = |register: &mut Register,
                         day: usize,
                         action: Action,
                         reason: (&str, &str, &str)| {
                register.events.push(at(EventRow {
                    certificate: certificate.clone(),
                    date: date(day),
                    action,
                    reason: text(reason.0.into(), reason.1.into(), Some(reason.2.into())),
                    decision: Some(format!("Приказ № {}-п", 100 + day)),
                }));
            };
            if last {
                match plan {
                    20..=27 => event(
                        &mut register,
                        issued + 100 + random.below(500),
                        Action::Revoked,
                        REVOKED,
                    ),
                    28..=32 => {
                        let day = issued + 50 + random.below(300);
                        event(&mut register, day, Action::Revoked, REVOKED);
                        event(
                            &mut register,
                            day + 20 + random.below(60),
                            Action::Resumed,
                            RESUMED,
                        );
                    }
                    33..=37 => event(
                        &mut register,
                        issued + 200 + random.below(600),
                        Action::Terminated,
                        TERMINATED,
                    ),
                    _ => {}
                }
            }
            previous = Some(certificate);
            // A re-issue comes within the term; a later certificate after the old one ended.
            issued += if plan < 10 {
                100 + random.below(600)
            } else {
                1100 + random.below(400)
            };
        }
    }
    register
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_synthetic_register_is_valid_and_the_same_for_a_seed() {
        let dir = tempfile::tempdir().unwrap();
        let register = super::generate(500, 7);
        crate::register::write::write_csv_tables(&register, dir.path()).unwrap();
        let checked = crate::register::load_registry(dir.path(), std::path::Path::new("data"), 3)
            .unwrap_or_else(|e| panic!("{:#?}", &e.diagnostics[..5.min(e.diagnostics.len())]));
        assert_eq!(checked.warnings, vec![]);
        assert_eq!(checked.registry.centers.len(), 500);
        let statuses: std::collections::BTreeSet<_> = (0..checked.registry.certificates.len())
            .map(|c| {
                checked
                    .registry
                    .certificate_status(c, chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap())
            })
            .collect();
        assert!(statuses.len() >= 5, "{statuses:?}");
        let again = super::generate(500, 7);
        assert_eq!(
            again
                .centers
                .iter()
                .map(|c| c.bin.to_string())
                .collect::<Vec<_>>(),
            register
                .centers
                .iter()
                .map(|c| c.bin.to_string())
                .collect::<Vec<_>>()
        );
    }
}
