using System.CommandLine;
using LsLab.Distillation;
using LsLab.Models;
using LsLab.Native;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Cli.Commands;

/// <summary>`lslab distill`: train a student from a finished teacher run (knowledge distillation).</summary>
public static class DistillCommand
{
    public static Command Build()
    {
        var models = string.Join(", ", ModelRegistry.List().Select(m => m.Name));
        var teacher = new Option<string>("--teacher", "-t") { Description = "Finished teacher run folder (made by `lslab train`).", Required = true };
        var studentModel = new Option<string>("--student-model", "-m") { Description = $"Student model: {models}.", DefaultValueFactory = _ => "mlp-small" };
        var temperature = new Option<double>("--temperature", "-T") { Description = "Teacher softmax temperature T (> 0).", DefaultValueFactory = _ => 4.0 };
        var beta = new Option<double>("--beta", "-b") { Description = "Weight β of the teacher term: (1−β)·CE(labels) + β·soft. β=1 ignores the labels.", DefaultValueFactory = _ => 0.9 };
        var soft = new Option<SoftTerm>("--soft") { Description = "Soft term: Hinton = T²·KL(p_t(T)‖p_s(T)); Paper = KL(p_t(T)‖p_s(1)) (the paper's CIFAR students); Logits = ½·mean_k (z_s−z_t)² (the paper's MNIST student).", DefaultValueFactory = _ => SoftTerm.Hinton };
        var dataset = new Option<string?>("--dataset", "-d") { Description = "Student's data set (default: the teacher's)." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder holding the data set's files (default: the teacher's)." };
        var epochs = new Option<int>("--epochs", "-e") { Description = "Training epochs.", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch-size") { Description = "Examples per SGD step.", DefaultValueFactory = _ => 128 };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default 0.1)." };
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => 0.9 };
        var wd = new Option<double?>("--weight-decay") { Description = "L2 weight decay (default 5e-4 for conv nets, 0 for MLPs)." };
        var schedule = new Option<Schedule>("--schedule") { Description = "Learning-rate schedule: Cosine, Step, Constant.", DefaultValueFactory = _ => Schedule.Cosine };
        var seed = new Option<int?>("--seed") { Description = "Seed (default: the teacher's, so student and teacher share the train/validation split)." };
        var augment = new Option<bool>("--augment") { Description = "Augment the student's images. The cached teacher logits are those of the un-augmented image." };
        var valFraction = new Option<double?>("--val-fraction") { Description = "Validation share (default: the teacher's)." };
        var width = new Option<int?>("--width") { Description = "Hidden width for mlp, mlp-small, convnet." };
        var dropout = new Option<double?>("--dropout") { Description = "Dropout for mlp / mlp-small." };
        var limit = new Option<int?>("--train-limit") { Description = "Use only the first N training examples (quick runs)." };
        var outDir = new Option<string>("--out", "-o") { Description = "Student run folder to create (or resume).", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted distillation in --out (configuration and teacher must match)." };
        var quiet = Cli.QuietOption();
        var threads = Cli.ThreadsOption();

        var cmd = new Command("distill",
            "Train a student from a teacher run: (1−β)·CE(labels) + β·soft term. Teacher logits are computed once over the " +
            "un-augmented training set (teacher in eval mode). Writes a normal run folder plus distill.json (teacher, T, β, equivalent smoothing γ).")
        {
            teacher, studentModel, temperature, beta, soft, dataset, dataDir, epochs, batch, lr, momentum, wd, schedule, seed, augment,
            valFraction, width, dropout, limit, outDir, resume, quiet, threads,
        };
        cmd.WithExamples(
            "lslab train --model mlp --epochs 10 --augment --out runs/teacher",
            "lslab distill --teacher runs/teacher --student-model mlp-small --temperature 4 --beta 0.9 --epochs 10 --out runs/student",
            "lslab distill --teacher runs/teacher --student-model mlp-small --soft Logits --beta 0.6 --out runs/student-mnist   # the paper's MNIST recipe",
            "lslab evaluate --run runs/student");
        cmd.SetAction(p =>
        {
            Engine.Initialize(p.GetValue(threads));
            var teacherRun = new RunFolder(OptionChecks.InDir(p.GetValue(teacher)!, "--teacher"));
            var t = teacherRun.ReadConfig();
            if (!File.Exists(teacherRun.ModelPath))
                throw new LsLabException($"{teacherRun.Path}: the teacher run has not finished (no model.dat). Finish it with `lslab train --resume --out {teacherRun.Path}`.");
            var spec = new DistillationSpec(teacherRun.Path, p.GetValue(temperature), p.GetValue(beta), p.GetValue(soft)).Validate();
            var o = new TrainOptions
            {
                Dataset = p.GetValue(dataset) ?? t.Dataset, DataDir = p.GetValue(dataDir) ?? t.DataDir, Model = p.GetValue(studentModel)!,
                Alpha = 0, Epochs = p.GetValue(epochs), BatchSize = p.GetValue(batch), LearningRate = p.GetValue(lr), Momentum = p.GetValue(momentum),
                WeightDecay = p.GetValue(wd), Schedule = p.GetValue(schedule), Seed = p.GetValue(seed) ?? t.Seed, Augment = p.GetValue(augment),
                ValidationFraction = p.GetValue(valFraction) ?? t.ValidationFraction, Width = p.GetValue(width), Dropout = p.GetValue(dropout),
                TrainLimit = p.GetValue(limit),
            }.Validate();
            OptionChecks.SameDataSet(t.Dataset, o.Dataset, teacherRun.Path);

            string dir = p.GetValue(outDir)!;
            Cli.CheckOutDir(dir);
            var run = new RunFolder(dir);
            bool exists = Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any();
            if (exists && !p.GetValue(resume))
                throw new LsLabException($"{run.Path} exists and is not empty. Pass --resume to continue it, or choose another --out.");
            if (exists && DistillationRecord.Load(run) is { } saved &&
                (saved.TeacherRun != spec.TeacherRun || saved.Temperature != spec.Temperature || saved.Beta != spec.Beta || saved.Soft != spec.Soft))
                throw new LsLabException($"{run.Combine(DistillationRecord.FileName)}: this folder was distilled from {saved.Description}; " +
                                         $"requested {spec.Describe()}. Use another --out folder.");
            run.EnsureCompatible(o);

            using var data = TrainingRun.LoadData(o);
            using var objective = new DistillationObjective(spec);
            Console.WriteLine($"data: {data.Train.Name} from {data.Train.Source}: {data.Train.Count} train / {data.Validation.Count} validation / {data.Test.Count} test");
            objective.BindTrainSet(data.Train);
            var teacherScore = Evaluator.Score(objective.TeacherLogits!, data.Train.Labels);
            Console.WriteLine($"teacher: {t.Model} α={t.Alpha} from {teacherRun.Path}: train accuracy {teacherScore.Accuracy:P2}; " +
                              $"equivalent smoothing γ at T={spec.Temperature}: {objective.EquivalentSmoothing:F4}");
            if (o.Augment)
                Console.WriteLine("note: --augment is on: the student sees augmented images but matches the teacher's logits of the un-augmented ones.");
            Directory.CreateDirectory(run.Path);
            DistillationRecord.For(objective).Save(run);
            var state = TrainingRun.Execute(o, dir, Progress.Console(p.GetValue(quiet)), objective, data: data);
            var last = state.History[^1];
            Console.WriteLine($"done: {state.EpochsDone} epochs in {state.TotalSeconds:F0}s; validation accuracy {last.ValidationAccuracy:P2}, NLL {last.ValidationLoss:F4}. Run folder: {run.Path}");
            Console.WriteLine($"next: lslab evaluate --run {dir}");
            return 0;
        });
        return cmd;
    }
}
