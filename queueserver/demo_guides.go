package main

// demoGuide is the 办事指南 of a demo service: what it is for and its steps, in Chinese and
// English.
type demoGuide struct {
	guide, guideEN         string
	procedure, procedureEN []string
}

var demoGuides = map[string]demoGuide{
	"shebao": {"办理社保参保登记、转移接续、缴费基数申报及社保卡业务。", "Social insurance enrolment, transfers, contribution bases and social security cards.",
		[]string{"取号等候叫号", "窗口提交身份证和社保卡", "工作人员核对并录入", "当场办结，领取回执"},
		[]string{"Take a number and wait", "Hand in your ID card and social security card", "The clerk checks and records", "Done on the spot; take the receipt"}},
	"yibao": {"办理医保参保、异地就医备案和医疗费用报销。", "Medical insurance enrolment, treatment elsewhere and refunds of medical costs.",
		[]string{"取号等候叫号", "提交身份证、医保卡及费用票据", "窗口审核", "报销款 15 个工作日内到账"},
		[]string{"Take a number and wait", "Hand in ID card, medical insurance card and bills", "The counter checks them", "The refund arrives within 15 working days"}},
	"gjj": {"办理住房公积金提取、贷款咨询和缴存证明。", "Housing fund withdrawals, loan advice and contribution certificates.",
		[]string{"取号等候叫号", "提交身份证及购房或租房证明", "窗口审核", "资金 3 个工作日内到账"},
		[]string{"Take a number and wait", "Hand in your ID card and proof of purchase or rent", "The counter checks them", "The money arrives within 3 working days"}},
	"budongchan": {"办理不动产转移、抵押登记及不动产权证书领取。", "Property transfers, mortgage registration and collecting title certificates.",
		[]string{"取号或预约签到", "买卖双方到场提交材料", "窗口受理并缴税费", "5 个工作日后领证"},
		[]string{"Take a number or check in a booking", "Buyer and seller hand in the papers in person", "The counter accepts the case; pay taxes and fees", "Collect the certificate after 5 working days"}},
	"huji": {"办理户口迁入迁出、户口簿补换及户籍证明。", "Household registration moves, replacement household books and certificates.",
		[]string{"取号等候叫号", "提交身份证、户口簿", "窗口审核", "当场或 3 个工作日内办结"},
		[]string{"Take a number and wait", "Hand in your ID card and household book", "The counter checks them", "Done on the spot or within 3 working days"}},
	"churujing": {"办理普通护照、港澳台通行证及签注。", "Passports, travel permits to Hong Kong, Macau and Taiwan, and endorsements.",
		[]string{"取号或预约签到", "现场采集照片和指纹", "缴费", "7 个工作日后领取或邮寄"},
		[]string{"Take a number or check in a booking", "Photo and fingerprints are taken on site", "Pay the fee", "Collect or receive by post after 7 working days"}},
	"shuiwu": {"办理发票领用、纳税申报和完税证明开具。", "Invoices, tax returns and tax payment certificates.",
		[]string{"取号等候叫号", "提交身份证及营业执照", "窗口办理", "当场办结"},
		[]string{"Take a number and wait", "Hand in your ID card and business licence", "The counter handles it", "Done on the spot"}},
	"qiye": {"一窗通办企业设立登记、公章刻制和税务登记。", "One-window company registration, company seals and tax registration.",
		[]string{"取号或预约签到", "提交章程、住所证明和法定代表人身份证", "窗口受理", "1 个工作日内领取营业执照"},
		[]string{"Take a number or check in a booking", "Hand in the articles, proof of address and the legal representative's ID", "The counter accepts the case", "Collect the business licence within 1 working day"}},
}

// demoDirectionsEN are the demo services' directions in English.
var demoDirectionsEN = map[string]string{
	"shebao": "Floor 1, Area A, windows 1-3", "yibao": "Floor 1, Area A, windows 4-5", "gjj": "Floor 1, Area A, windows 6-7",
	"budongchan": "Floor 2, Area B, windows 8-11", "huji": "Floor 2, Area B, windows 12-13", "churujing": "Floor 2, Area B, window 14",
	"shuiwu": "Floor 3, Area C, windows 15-17", "qiye": "Floor 3, Area C, windows 18-20",
}
