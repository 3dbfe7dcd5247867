console.log(import.meta.resolve("kubefluent"))
