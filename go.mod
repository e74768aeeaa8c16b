module diosim

go 1.24
