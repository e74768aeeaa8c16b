package properties

// SequentialOKForTest exposes the fast path of HistoryViolations to tests.
var SequentialOKForTest = sequentialOK
