//! "Was this center accredited for my profession on that date?": the verification page,
//! driven in headless Chromium in kk and ru for each edge case, says exactly what
//! `tizilim status --profession` says, and its answers can be shared by address.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{build_served, temp_site_with_theme};
use tizilim::register::dates::today_in_kazakhstan;

/// The valid fixture plus a center whose only certificate was revoked and resumed.
fn site() -> tempfile::TempDir {
    let dir = temp_site_with_theme("valid-csv");
    let data = dir.path().join("data");
    let append = |file: &str, text: &str| {
        let mut content = fs::read_to_string(data.join(file)).unwrap();
        content.push_str(text);
        fs::write(data.join(file), content).unwrap();
    };
    append(
        "centers.csv",
        "230140003450;«Қыран» біліктілік орталығы;ТОО «Кыран»;;astana;Астана;;;;;;\r\n",
    );
    append("certificates.csv", "VR-1,230140003450,2024-01-10,,,,\n");
    append("scope.csv", "VR-1,8342-1-001,4\n");
    append("events.csv", "VR-1,2024-06-01,revoked,Тексеру нәтижесі,По итогам проверки,,Приказ № 77-п\nVR-1,2024-07-01,resumed,Жойылды,Устранено,,Приказ № 90-п\n");
    dir
}

/// (what, BIN, date, profession)
const CASES: [(&str, &str, &str, &str); 8] = [
    (
        "before the first certificate",
        "190540001230",
        "01.01.2023",
        "",
    ),
    (
        "on the day of a revocation",
        "230140003450",
        "01.06.2024",
        "8342-1-001",
    ),
    (
        "between a revocation and its resumption",
        "230140003450",
        "15.06.2024",
        "",
    ),
    ("after termination", "081240010124", "01.06.2026", ""),
    ("after expiry", "150340007897", "2026-06-01", "8342-1-001"),
    (
        "across a re-issue",
        "190540001230",
        "16.09.2024",
        "7212-1-002",
    ),
    (
        "a profession only in the re-issued scope",
        "190540001230",
        "01.09.2024",
        "2512-1-001",
    ),
    ("a date in the future", "190540001230", "01.01.2099", ""),
];

fn cli_answer(root: &Path, bin: &str, date: &str, profession: &str, lang: &str) -> Vec<String> {
    let mut args = vec![
        "status",
        bin,
        "--on",
        date,
        "--lang",
        lang,
        "--json",
        "--root",
        root.to_str().unwrap(),
    ];
    if !profession.is_empty() {
        args.extend(["--profession", profession]);
    }
    let output = Command::new(env!("CARGO_BIN_EXE_tizilim"))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    json["answer"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_owned())
        .collect()
}

fn browser(args: &[String]) -> serde_json::Value {
    common::node("tests/browser/verify.mjs", args)
}

#[test]
fn the_page_and_the_command_line_give_the_same_answers() {
    let root = site();
    // Built today, so that the page and the command line know the same "today".
    let (_out, base) = build_served(root.path(), &today_in_kazakhstan().to_string());
    for lang in ["kk", "ru"] {
        let prefix = if lang == "kk" {
            String::new()
        } else {
            format!("{lang}/")
        };
        let urls: Vec<String> = CASES
            .iter()
            .map(|(_, bin, date, profession)| {
                format!("{base}/{prefix}verify/?bin={bin}&date={date}&profession={profession}")
            })
            .collect();
        let page = browser(&urls);
        for (i, (what, bin, date, profession)) in CASES.iter().enumerate() {
            let on_page: Vec<String> = serde_json::from_value(page["answers"][i].clone()).unwrap();
            let cli = cli_answer(root.path(), bin, date, profession, lang);
            assert!(!cli.is_empty(), "{what}");
            assert_eq!(on_page, cli, "{what} ({lang})");
        }
        let answers = &page["answers"];
        let line = |case: usize, n: usize| answers[case][n].as_str().unwrap().to_owned();
        if lang == "ru" {
            assert_eq!(line(0, 0), "01.01.2023 центр ещё не был аккредитован: его первый аттестат № ЦПК-001/2023 выдан 04.12.2023.");
            assert_eq!(
                line(1, 0),
                "01.06.2024 центр не был аккредитован: аттестат VR-1 отозван 01.06.2024."
            );
            // No certificate was in force: the answer claims none was.
            assert_eq!(line(1, 1), "01.06.2024 у центра не действовал ни один аттестат, поэтому профессия 8342-1-001 Машинист экскаватора не входила в область аккредитации.");
            assert_eq!(line(2, 1), "До этого, 01.06.2024: Отозван (VR-1).");
            assert_eq!(
                line(2, 2),
                "После этого, 01.07.2024: Действие возобновлено (VR-1)."
            );
            assert_eq!(line(3, 0), "01.06.2026 центр не был аккредитован: действие аттестата ІР-6 прекращено 01.03.2026.");
            assert_eq!(line(4, 0), "01.06.2026 центр не был аккредитован: срок действия аттестата QB/5 истёк 20.05.2026.");
            assert_eq!(line(5, 0), "16.09.2024 центр был аккредитован: действовал аттестат ЦПК-002/2024 (16.09.2024 – 16.09.2027).");
            assert_eq!(line(5, 1), "Профессия 7212-1-002 Электрогазосварщик входила в область аккредитации аттестата ЦПК-002/2024 (уровни: 3-5).");
            assert_eq!(
                line(5, 2),
                "До этого, 16.09.2024: Переоформлен (№ ЦПК-001/2023); Выдан (ЦПК-002/2024)."
            );
            assert_eq!(line(6, 1), "Профессия 2512-1-001 Разработчик программного обеспечения, программист не входила в область аккредитации аттестата, действовавшего 01.09.2024.");
            assert_eq!(
                line(6, 2),
                "Она входит в область аккредитации аттестата ЦПК-002/2024, выданного 16.09.2024."
            );
            assert!(
                line(7, 2).starts_with("01.01.2099 — позже даты создания реестра"),
                "{}",
                line(7, 2)
            );
        } else {
            assert_eq!(line(1, 0), "01.06.2024 күні орталық аккредиттелмеген: VR-1 аттестаты 01.06.2024 күні кері қайтарып алынған.");
            assert_eq!(line(5, 0), "16.09.2024 күні орталық аккредиттелген: ЦПК-002/2024 аттестаты жарамды болды (16.09.2024 – 16.09.2027).");
        }
    }
}

#[test]
fn an_answer_typed_in_the_form_can_be_shared_by_its_address() {
    let root = site();
    let (_out, base) = build_served(root.path(), "2026-11-25");
    // A certificate number typed as on paper, a dotted date, a profession.
    let result = browser(
        &[
            "--form",
            &base,
            "ru",
            "ЦПК-002/2024",
            "20.10.2024",
            "2512-1-001",
        ]
        .map(String::from),
    );
    let form = &result["form"];
    assert_eq!(
        form["search"],
        "?bin=%D0%A6%D0%9F%D0%9A-002%2F2024&date=20.10.2024&profession=2512-1-001"
    );
    assert_eq!(
        form["link"],
        format!("/ru/verify/{}", form["search"].as_str().unwrap())
    );
    let lines: Vec<String> = serde_json::from_value(form["lines"].clone()).unwrap();
    assert_eq!(lines[0], "20.10.2024 центр был аккредитован: действовал аттестат ЦПК-002/2024 (16.09.2024 – 16.09.2027).");
    assert_eq!(lines[1], "Профессия 2512-1-001 Разработчик программного обеспечения, программист входила в область аккредитации аттестата ЦПК-002/2024 (уровни: 5-6).");
    assert_eq!(form["reloaded"], form["lines"]);
    // Not in the register, a date that does not exist and one written otherwise: said plainly.
    let result = browser(&[
        format!("{base}/verify/?bin=999999999999&date=01.01.2025"),
        format!("{base}/en/verify/?bin=190540001230&date=31.02.2025"),
        format!("{base}/ru/verify/?bin=190540001230&date=29.02.2023"),
        format!("{base}/en/verify/?bin=190540001230&date=2025/01/01"),
    ]);
    assert_eq!(result["answers"][0][0], "«999999999999» тізілімде жоқ.");
    assert_eq!(
        result["answers"][1][0],
        "There is no date 31.02.2025 in the calendar: check the day and the month."
    );
    assert_eq!(
        result["answers"][2][0],
        "Даты 29.02.2023 нет в календаре: проверьте день и месяц."
    );
    assert_eq!(result["answers"][3][0], "Write the date as DD.MM.YYYY.");
}

#[test]
fn a_certificate_number_typed_as_on_paper_is_found_on_the_page() {
    let root = site();
    let (_out, base) = build_served(root.path(), "2026-11-25");
    let forms = common::TYPED_FORMS_OF_TSPK_002_2024;
    let urls: Vec<String> = forms
        .iter()
        .map(|typed| {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            query
                .append_pair("bin", typed)
                .append_pair("date", "20.10.2024");
            format!("{base}/ru/verify/?{}", query.finish())
        })
        .collect();
    let result = browser(&urls);
    for (i, typed) in forms.iter().enumerate() {
        assert_eq!(
            result["answers"][i][0],
            "20.10.2024 центр был аккредитован: действовал аттестат ЦПК-002/2024 (16.09.2024 – 16.09.2027).",
            "{typed:?}"
        );
    }
}
