module github.com/litekpi/litekpi-go

go 1.19
